#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The `claude` agent (orchestration.md §4.2, §4.3): Claude Code in streaming mode in the session
/// workspace. The prompt goes on stdin as a stream-json user message after the `initialize`
/// handshake; every stdout line is logged as a structured line; `can_use_tool` control requests
/// are answered on stdin (read-only tools at once, `auto` sessions by the runner, the rest by the
/// operator through the server); stdin is closed once `result` arrives.
public struct ClaudeExecutor: TaskExecutor {
    public let name = "claude"
    /// `executors.claude.extra_args`.
    public var extraArguments: [String]
    public var drainTimeout: Duration
    /// How long the CLI may take to exit after its stdin was closed (then SIGTERM, then SIGKILL).
    public var exitGrace: Duration
    /// The prompt is sent anyway when the CLI has not answered `initialize` by then.
    public var initializeTimeout: Duration
    public var maxLineBytes: Int
    /// `executors.claude.binary` ("" = `claude` on PATH; `MARIONETTE_CLAUDE_BIN` wins).
    public var binary: String
    /// `executors.claude.permission_gating`: false lets every tool call run without asking.
    public var permissionGating: Bool

    public init(
        extraArguments: [String] = [], drainTimeout: Duration = .seconds(1), exitGrace: Duration = .seconds(5),
        initializeTimeout: Duration = .seconds(30), maxLineBytes: Int = LineSplitter.defaultMaxLineBytes,
        binary: String = "", permissionGating: Bool = true
    ) {
        self.binary = binary
        self.permissionGating = permissionGating
        self.extraArguments = extraArguments
        self.drainTimeout = drainTimeout
        self.exitGrace = exitGrace
        self.initializeTimeout = initializeTimeout
        self.maxLineBytes = maxLineBytes
    }

    public static let binaryVariable = "MARIONETTE_CLAUDE_BIN"

    public func start(_ task: ExecutorTask, output: RunOutput) throws -> any RunningTask {
        let binary = try ExecutableLocator.require(
            "claude", override: Self.binaryVariable, configured: self.binary, environment: task.environment)
        let home = task.environment["HOME"] ?? ""
        let hostLogin = !home.isEmpty && FileManager.default.fileExists(atPath: home + "/.claude/.credentials.json")
        let invocation = ClaudeInvocation.make(binary: binary, task: task, extraArguments: extraArguments, hostLogin: hostLogin)
        if let directory = invocation.environment["CLAUDE_CONFIG_DIR"] {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        output.system("Claude Code started")
        output.system(invocation.displayCommand)
        let process = try ProcessSpawner.spawn(
            executable: binary, arguments: invocation.arguments, environment: invocation.environment,
            workingDirectory: invocation.workingDirectory, stdinPipe: true)
        let run = ClaudeRun(
            task: task, output: output, stdin: StdinWriter(fd: process.stdinFD), pid: process.pid,
            workingDirectory: invocation.workingDirectory, exitGrace: exitGrace, permissionGating: permissionGating)
        let stdout = PipeLineReader(fd: process.stdoutFD, maxLineBytes: maxLineBytes) { run.stdoutLine($0) }
        let stderr = PipeLineReader(fd: process.stderrFD, maxLineBytes: maxLineBytes) { output.pipeLine($0, stream: "stderr") }
        stdout.start(name: "marionette-claude-\(process.pid)")
        stderr.start(name: "marionette-claude-err-\(process.pid)")
        run.begin(initializeTimeout: initializeTimeout)
        return RunningClaude(process: process, run: run, readers: [stdout, stderr], drainTimeout: drainTimeout)
    }
}

/// The state of one `claude` process shared by its reader thread and the answering tasks.
final class ClaudeRun: Sendable {
    private struct State {
        var parser = ClaudeStreamParser()
        var prompt = PromptState.unsent
        /// Questions waiting for the operator, by the control request that asked them.
        var asked: [String: PermissionQuestion] = [:]
        /// Control requests the CLI withdrew (`control_cancel_request`): never answered.
        var withdrawn: Set<String> = []
    }

    /// Where the prompt is: a `KillTask` before it was written must not let it go out afterwards
    /// (the CLI would answer the early interrupt with nothing to stop, then run the whole turn).
    private enum PromptState {
        case unsent
        /// Being written; `interruptAfter` when a `KillTask` came meanwhile.
        case writing(interruptAfter: Bool)
        case sent
        /// Killed before it was written: never sent.
        case withheld
    }

    static let withdrawnReason = "withdrawn by the CLI"

    static let initializeID = "marionette_init_1"
    static let interruptID = "marionette_interrupt_1"

    let task: ExecutorTask
    let output: RunOutput
    let stdin: StdinWriter
    let workingDirectory: String
    /// Stops a CLI that lingers after its `result`.
    let lingering: LingeringProcessStop
    private let state = Mutex(State())

    let permissionGating: Bool

    init(
        task: ExecutorTask, output: RunOutput, stdin: StdinWriter, pid: pid_t, workingDirectory: String, exitGrace: Duration,
        permissionGating: Bool = true
    ) {
        self.permissionGating = permissionGating
        self.task = task
        self.output = output
        self.stdin = stdin
        self.workingDirectory = workingDirectory
        self.lingering = LingeringProcessStop(pid: pid, grace: exitGrace)
    }

    /// Sends `initialize`; the prompt follows its answer (or the timeout).
    func begin(initializeTimeout: Duration) {
        stdin.writeLine(ClaudeInvocation.initializeRequest(id: Self.initializeID))
        Task { [self] in
            try? await Task.sleep(for: initializeTimeout)
            if sendPrompt() {
                output.emit(
                    stream: "system", level: "warn",
                    content: "the CLI did not answer initialize within \(initializeTimeout); prompt sent anyway")
            }
        }
    }

    /// Writes the prompt once; true when this call wrote it.
    @discardableResult
    private func sendPrompt() -> Bool {
        let exited = lingering.hasExited
        let first = state.withLock { state in
            guard case .unsent = state.prompt, !exited else { return false }
            state.prompt = .writing(interruptAfter: false)
            return true
        }
        guard first else { return false }
        // Written outside the lock: a CLI that does not read its stdin must not stop our reader of its stdout.
        stdin.writeLine(ClaudeInvocation.userMessage(task.prompt))
        let interrupt = state.withLock { state in
            defer { state.prompt = .sent }
            if case .writing(interruptAfter: true) = state.prompt { return true }
            return false
        }
        if interrupt { writeInterrupt() }
        return true
    }

    func stdoutLine(_ line: LineSplitter.Line) {
        guard !line.truncated else {
            // A piece of an over-long line cannot be parsed; it is still logged losslessly.
            output.pipeLine(line, stream: "stdout")
            return
        }
        let text = line.text
        for piece in GluedJSONSplitter.split(text[...]) {
            let event = state.withLock { $0.parser.parse(piece) }
            output.emit(stream: "stdout", level: event.level, content: String(piece), metadata: event.metadata)
            handle(event)
        }
    }

    private func handle(_ event: AgentLineEvent) {
        if let snapshot = event.contextSnapshot {
            let callbacks = task.callbacks
            Task { await callbacks.contextUpdated(snapshot) }
        }
        switch event.control {
        case .response(let requestID, _)? where requestID == Self.initializeID:
            sendPrompt()
        case .canUseTool(let ask)?:
            Task { [self] in
                let decision = await decide(ask)
                // The CLI gave up on this request: an answer now would name nothing it waits for.
                guard !state.withLock({ $0.withdrawn.contains(ask.requestID) }) else { return }
                stdin.writeLine(
                    ClaudeInvocation.permissionResponse(
                        requestID: ask.requestID, allow: decision.approved, inputJSON: ask.inputJSON, message: decision.reason))
            }
        case .unsupported(let requestID, let subtype)?:
            output.emit(stream: "system", level: "warn", content: "unsupported control request \"\(subtype)\" answered with an error")
            stdin.writeLine(ClaudeInvocation.unsupportedResponse(requestID: requestID))
        case .cancel(let requestID)?:
            output.system("the CLI withdrew control request \(requestID)")
            let question = state.withLock { state in
                state.withdrawn.insert(requestID)
                return state.asked.removeValue(forKey: requestID)
            }
            if let question {
                let callbacks = task.callbacks
                Task { await callbacks.withdraw(question, reason: Self.withdrawnReason) }
            }
        case .response?, nil:
            break
        }
        if event.result != nil { resultReceived() }
    }

    /// The gating policy (auth-security.md §13): read-only tools at once, `auto` sessions by the
    /// runner, the rest by the operator. Every answer is logged.
    func decide(_ ask: ClaudeToolPermissionAsk) async -> PermissionDecision {
        let tool = ask.tool
        let decision: PermissionDecision
        if !tool.isEmpty, !PermissionGating.isGated(tool: tool) {
            decision = PermissionDecision(approved: true, reason: "tool is read-only")
        } else if task.permissionPolicy == "auto" {
            decision = PermissionDecision(approved: true, reason: "auto_approved (permission_policy auto)")
        } else if !permissionGating {
            decision = PermissionDecision(approved: true, reason: "auto_approved (executors.claude.permission_gating false)")
        } else {
            let action = PermissionGating.action(tool: tool, fields: ask.inputFields, inputJSON: ask.inputJSON)
            let question = PermissionQuestion(
                requestID: ask.toolUseID.isEmpty ? ask.requestID : ask.toolUseID, key: task.key, sessionID: task.sessionID,
                tool: tool.isEmpty ? "unknown" : tool, action: action, riskLevel: PermissionGating.risk(tool: tool),
                context: context(inputJSON: ask.inputJSON), createdAtMs: Int64(Date().timeIntervalSince1970 * 1000))
            // Withdrawn before it was asked: nobody is asked. Else recorded, so a withdrawal finds it.
            let stillWanted = state.withLock { state in
                guard !state.withdrawn.contains(ask.requestID) else { return false }
                state.asked[ask.requestID] = question
                return true
            }
            if stillWanted {
                output.system("permission requested: \(question.tool) \(action.prefix(200)) (risk \(question.riskLevel))")
                decision = await task.callbacks.permission(question)
                state.withLock { _ = $0.asked.removeValue(forKey: ask.requestID) }
            } else {
                decision = PermissionDecision(approved: false, reason: Self.withdrawnReason)
            }
        }
        output.emit(
            stream: "system", level: "info",
            content: "permission \(decision.approved ? "allowed" : "denied"): \(tool) (\(decision.reason))",
            metadata: ["event_kind": "system", "tool": tool, "permission": decision.approved ? "allow" : "deny"])
        return decision
    }

    /// `{"cwd": …, "input": …}`; inputs over 8 KiB are cut (as a string).
    private func context(inputJSON: String) -> String {
        let input =
            inputJSON.utf8.count <= 8192
            ? inputJSON : "\"" + ClaudeInvocation.jsonEscaped(String(inputJSON.prefix(8192))) + "\""
        return #"{"cwd":""# + ClaudeInvocation.jsonEscaped(workingDirectory) + #"","input":"# + input + "}"
    }

    /// The turn is over: close stdin so the CLI exits; one that lingers is stopped.
    private func resultReceived() {
        stdin.close()
        lingering.start()
    }

    /// `KillTask` (orchestration.md §4.3): the turn is interrupted through the control protocol
    /// first; the CLI answers and ends the turn with an error result, then exits on closed stdin.
    /// Killed before the prompt went out (the CLI still starting or answering `initialize`), the
    /// prompt is withheld and stdin closed: the CLI, with no turn to run, exits by itself.
    func interrupt() -> Bool {
        enum Action { case write, closeInput, later }
        let action = state.withLock { state -> Action in
            switch state.prompt {
            case .unsent, .withheld:
                state.prompt = .withheld
                return .closeInput
            case .writing:
                state.prompt = .writing(interruptAfter: true)
                return .later
            case .sent:
                return .write
            }
        }
        switch action {
        case .write:
            return writeInterrupt()
        case .later:
            return true
        case .closeInput:
            output.system("stopped before the prompt was sent: the CLI's input is closed")
            stdin.close()
            return true
        }
    }

    @discardableResult
    private func writeInterrupt() -> Bool {
        stdin.writeLine(
            #"{"type":"control_request","request_id":""# + Self.interruptID + #"","request":{"subtype":"interrupt"}}"#)
    }

    /// The process was reaped: no more signals to its pid, no more writes.
    func markExited() {
        lingering.markExited()
        stdin.close()
    }

    /// What the stream said, and whether the runner stopped a CLI that lingered after `result`.
    func finalState() -> (ClaudeStreamParser, Bool) {
        (state.withLock { $0.parser }, lingering.stoppedAfterEnd)
    }
}

/// A running `claude` process.
struct RunningClaude: RunningTask {
    let process: SpawnedProcess
    let run: ClaudeRun
    let readers: [PipeLineReader]
    let drainTimeout: Duration

    var processGroups: [Int32] { [process.processGroup] }

    func interrupt() -> Bool { run.interrupt() }

    func result() async -> ExecutorResult {
        let status = await ProcessSpawner.waitForExit(process.pid)
        run.markExited()
        await PipeLineReader.drain(readers, within: drainTimeout)
        let (stream, stopped) = run.finalState()
        return ClaudeOutcome.result(exit: status, stream: stream, stoppedAfterResult: stopped)
    }
}
