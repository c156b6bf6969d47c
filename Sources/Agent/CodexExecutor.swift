import Foundation

/// The `codex` agent in exec mode (orchestration.md §4.4): `codex exec --json` in the session
/// workspace with the prompt on stdin, every JSONL event logged as a structured line, tokens from
/// `turn.completed`, the thread id as the context snapshot and `codex exec resume <thread id>` for
/// the session's next tasks. `codex exec` never asks for approval, so it runs only for sessions
/// with `permission_policy: auto`; `ask` sessions fail closed (app-server mode is not built yet).
public struct CodexExecutor: TaskExecutor {
    public let name = "codex"
    /// `executors.codex.sandbox`.
    public var sandbox: String
    public var drainTimeout: Duration
    public var maxLineBytes: Int

    public init(sandbox: String = "workspace-write", drainTimeout: Duration = .seconds(1), maxLineBytes: Int = LineSplitter.defaultMaxLineBytes) {
        self.sandbox = sandbox
        self.drainTimeout = drainTimeout
        self.maxLineBytes = maxLineBytes
    }

    public static let binaryVariable = "MARIONETTE_CODEX_BIN"
    public static let askUnsupported =
        "codex with permission_policy \"ask\" needs the app-server approval mode, which this runner does not have; "
        + "create the session with permission_policy \"auto\" to run codex exec"

    public func start(_ task: ExecutorTask, output: RunOutput) throws -> any RunningTask {
        guard task.permissionPolicy == "auto" else { throw SpawnError(description: Self.askUnsupported) }
        guard let binary = ExecutableLocator.find("codex", override: Self.binaryVariable, environment: task.environment) else {
            throw SpawnError(description: ExecutableLocator.missing("codex", override: Self.binaryVariable, environment: task.environment))
        }
        let home = task.environment["HOME"] ?? ""
        let hostLogin = !home.isEmpty && FileManager.default.fileExists(atPath: home + "/.codex/auth.json")
        let invocation = CodexInvocation.make(binary: binary, task: task, sandbox: sandbox, hostLogin: hostLogin)
        if let directory = invocation.environment["CODEX_HOME"] {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        output.system("Codex started")
        output.system(invocation.displayCommand)
        let process = try ProcessSpawner.spawn(
            executable: binary, arguments: invocation.arguments, environment: invocation.environment,
            workingDirectory: invocation.workingDirectory, stdinPipe: true)
        return StreamedAgentProcess(
            process: process, parser: CodexEventParser(), task: task, output: output, stdinText: task.prompt,
            maxLineBytes: maxLineBytes, drainTimeout: drainTimeout, outcome: { CodexOutcome.result(exit: $0, stream: $1) })
    }
}
