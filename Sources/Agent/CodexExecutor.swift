import Foundation

/// The `codex` agent in exec mode (orchestration.md §4.4): `codex exec --json` in the session
/// workspace with the prompt on stdin, every JSONL event logged as a structured line, tokens from
/// `turn.completed`, the thread id as the context snapshot and `codex exec resume <thread id>` for
/// the session's next tasks. `codex exec` never asks for approval, so it runs only for sessions
/// with `permission_policy: auto`; `ask` sessions run `codex app-server`, whose command and
/// file-change approval requests become permission requests (`CodexAppServerRun`).
public struct CodexExecutor: TaskExecutor {
    public let name = "codex"
    /// `executors.codex.sandbox`.
    public var sandbox: String
    public var drainTimeout: Duration
    public var maxLineBytes: Int
    /// App-server mode: how long the server may take to exit after its stdin closed.
    public var exitGrace: Duration
    /// `executors.codex.binary` ("" = `codex` on PATH; `MARIONETTE_CODEX_BIN` wins).
    public var binary: String
    /// `executors.codex.permission_gating`: false runs `codex exec` (never asks) for `ask` sessions too.
    public var permissionGating: Bool

    public init(
        sandbox: String = "workspace-write", drainTimeout: Duration = .seconds(1), exitGrace: Duration = .seconds(5),
        maxLineBytes: Int = LineSplitter.defaultMaxLineBytes, binary: String = "", permissionGating: Bool = true
    ) {
        self.binary = binary
        self.permissionGating = permissionGating
        self.sandbox = sandbox
        self.exitGrace = exitGrace
        self.drainTimeout = drainTimeout
        self.maxLineBytes = maxLineBytes
    }

    public static let binaryVariable = "MARIONETTE_CODEX_BIN"
    public func start(_ task: ExecutorTask, output: RunOutput) throws -> any RunningTask {
        let binary = try ExecutableLocator.require(
            "codex", override: Self.binaryVariable, configured: self.binary, environment: task.environment)
        let home = task.environment["HOME"] ?? ""
        let hostLogin = !home.isEmpty && FileManager.default.fileExists(atPath: home + "/.codex/auth.json")
        if task.permissionPolicy != "auto" {
            if permissionGating { return try startAppServer(binary: binary, task: task, output: output, hostLogin: hostLogin) }
            output.system("permission gating is off (executors.codex.permission_gating false): commands run without approval")
        }
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

    private func startAppServer(binary: String, task: ExecutorTask, output: RunOutput, hostLogin: Bool) throws -> any RunningTask {
        let invocation = CodexInvocation.appServer(binary: binary, task: task, hostLogin: hostLogin)
        if let directory = invocation.environment["CODEX_HOME"] {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        output.system("Codex started (app-server, approvals on request)")
        output.system(invocation.displayCommand)
        let process = try ProcessSpawner.spawn(
            executable: binary, arguments: invocation.arguments, environment: invocation.environment,
            workingDirectory: invocation.workingDirectory, stdinPipe: true)
        let run = CodexAppServerRun(
            task: task, output: output, stdin: StdinWriter(fd: process.stdinFD), pid: process.pid,
            workingDirectory: task.workingDirectory, model: task.agentSettings?.model ?? "", sandbox: sandbox,
            resumeThread: CodexOutcome.threadID(fromSnapshot: task.contextSnapshot), exitGrace: exitGrace)
        let stdout = PipeLineReader(fd: process.stdoutFD, maxLineBytes: maxLineBytes) { run.stdoutLine($0) }
        let stderr = PipeLineReader(fd: process.stderrFD, maxLineBytes: maxLineBytes) { output.pipeLine($0, stream: "stderr") }
        stdout.start(name: "marionette-codex-\(process.pid)")
        stderr.start(name: "marionette-codex-err-\(process.pid)")
        run.begin()
        return RunningCodexAppServer(process: process, run: run, readers: [stdout, stderr], drainTimeout: drainTimeout)
    }
}
