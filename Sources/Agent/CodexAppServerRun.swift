#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// One `codex app-server` run (orchestration.md §4.4 app-server mode, for `ask` sessions):
/// `initialize` → `initialized` → `thread/start` (or `thread/resume`) → `turn/start` with the
/// prompt; command and file-change approval requests become permission requests answered
/// `accept`/`decline`; other server requests are refused; stdin closes when the turn completes.
final class CodexAppServerRun: Sendable {
    private struct State {
        var parser = CodexAppServerParser()
        /// `KillTask` arrived: questions still open are answered `cancel`.
        var interrupted = false
    }

    let task: ExecutorTask
    let output: RunOutput
    let stdin: StdinWriter
    let workingDirectory: String
    let model: String
    let sandbox: String
    let resumeThread: String?
    /// Stops an app-server that lingers after its turn.
    let lingering: LingeringProcessStop
    private let state = Mutex(State())

    init(
        task: ExecutorTask, output: RunOutput, stdin: StdinWriter, pid: pid_t, workingDirectory: String, model: String, sandbox: String,
        resumeThread: String?, exitGrace: Duration
    ) {
        self.task = task
        self.output = output
        self.stdin = stdin
        self.workingDirectory = workingDirectory
        self.model = model
        self.sandbox = sandbox
        self.resumeThread = resumeThread
        self.lingering = LingeringProcessStop(pid: pid, grace: exitGrace)
    }

    func begin() {
        stdin.writeLine(CodexAppServerParser.initialize(id: 0))
    }

    func stdoutLine(_ line: LineSplitter.Line) {
        guard !line.truncated else {
            output.pipeLine(line, stream: "stdout")
            return
        }
        let text = line.text
        for piece in GluedJSONSplitter.split(text[...]) {
            let (event, message) = state.withLock { state in
                let event = state.parser.parse(piece)
                return (event, state.parser.lastMessage)
            }
            output.emit(stream: "stdout", level: event.level, content: String(piece), metadata: event.metadata)
            if let snapshot = event.contextSnapshot {
                let callbacks = task.callbacks
                Task { await callbacks.contextUpdated(snapshot) }
            }
            handle(message)
        }
    }

    private func handle(_ message: CodexAppServerMessage) {
        switch message {
        case .response(0, _, let error):
            if let error { return fail("initialize failed: \(error)") }
            stdin.writeLine(CodexAppServerParser.initialized)
            if let resumeThread {
                stdin.writeLine(CodexAppServerParser.threadResume(id: 1, threadID: resumeThread))
            } else {
                stdin.writeLine(CodexAppServerParser.threadStart(id: 1, cwd: workingDirectory, model: model, sandbox: sandbox))
            }
        case .response(1, let result, let error):
            guard error == nil, let thread = result["thread_id"] else { return fail("thread start failed: \(error ?? "no thread id")") }
            stdin.writeLine(CodexAppServerParser.turnStart(id: 2, threadID: thread, prompt: task.prompt))
        case .response(2, _, let error?):
            fail("turn start failed: \(error)")
        case .serverRequest(let request):
            guard let tool = request.approvalTool else {
                output.emit(stream: "system", level: "warn", content: "refused app-server request \(request.method)")
                stdin.writeLine(CodexAppServerParser.errorResponse(idJSON: request.idJSON, method: request.method))
                return
            }
            Task { [self] in
                let decision = await decide(tool: tool, request: request)
                let answer = state.withLock { $0.interrupted } ? "cancel" : decision.approved ? "accept" : "decline"
                stdin.writeLine(CodexAppServerParser.approvalResponse(idJSON: request.idJSON, decision: answer))
            }
        case .turnCompleted:
            turnEnded()
        case .response, .other:
            break
        }
    }

    /// Codex commands and file changes are always gated (auth-security.md §13), risk high.
    private func decide(tool: String, request: CodexServerRequest) async -> PermissionDecision {
        let question = PermissionQuestion(
            requestID: request.itemID.isEmpty ? request.idJSON : request.itemID, key: task.key, sessionID: task.sessionID,
            tool: tool, action: request.action, riskLevel: "high",
            context: #"{"cwd":""# + ClaudeInvocation.jsonEscaped(workingDirectory) + #"","params":"# + request.paramsJSON + "}",
            createdAtMs: Int64(Date().timeIntervalSince1970 * 1000))
        output.system("permission requested: \(tool) \(request.action.prefix(200)) (risk high)")
        let decision = await task.callbacks.permission(question)
        output.emit(
            stream: "system", level: "info",
            content: "permission \(decision.approved ? "allowed" : "denied"): \(tool) (\(decision.reason))",
            metadata: ["event_kind": "system", "tool": tool, "permission": decision.approved ? "allow" : "deny"])
        return decision
    }

    private func fail(_ text: String) {
        output.emit(stream: "system", level: "error", content: text)
        turnEnded()
    }

    /// The turn is over: close stdin so the app-server exits; one that lingers is stopped.
    private func turnEnded() {
        stdin.close()
        lingering.start()
    }

    /// `KillTask` (orchestration.md §4.4): `turn/interrupt` for the running turn; questions still
    /// waiting are answered `cancel`. False before the turn started (nothing to interrupt).
    func interrupt() -> Bool {
        let ids = state.withLock { state -> (String, String)? in
            state.interrupted = true
            guard let thread = state.parser.threadID, let turn = state.parser.turnID else { return nil }
            return (thread, turn)
        }
        guard let (thread, turn) = ids else { return false }
        return stdin.writeLine(CodexAppServerParser.turnInterrupt(id: 3, threadID: thread, turnID: turn))
    }

    func markExited() {
        lingering.markExited()
        stdin.close()
    }

    func finalState() -> (CodexAppServerParser, Bool) {
        (state.withLock { $0.parser }, lingering.stoppedAfterEnd)
    }
}

/// A running `codex app-server`.
struct RunningCodexAppServer: RunningTask {
    let process: SpawnedProcess
    let run: CodexAppServerRun
    let readers: [PipeLineReader]
    let drainTimeout: Duration

    var processGroups: [Int32] { [process.processGroup] }

    func interrupt() -> Bool { run.interrupt() }

    func result() async -> ExecutorResult {
        let status = await ProcessSpawner.waitForExit(process.pid)
        run.markExited()
        await PipeLineReader.drain(readers, within: drainTimeout)
        let (stream, stopped) = run.finalState()
        return CodexOutcome.result(exit: status, appServer: stream, stoppedAfterTurn: stopped)
    }
}
