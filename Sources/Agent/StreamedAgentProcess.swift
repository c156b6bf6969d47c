#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Parses an agent CLI's stdout line by line (the parser keeps what the outcome needs).
public protocol AgentStreamParser: Sendable {
    mutating func parse(_ line: Substring) -> AgentLineEvent
}

extension ClaudeStreamParser: AgentStreamParser {}
extension CodexEventParser: AgentStreamParser {}

/// An agent CLI that takes its prompt once (stdin or argument) and streams JSON lines (Codex exec,
/// custom agents): each stdout line is parsed and logged as a structured line; a new conversation
/// id goes to the callbacks; stderr lines are logged as errors. The outcome comes from the exit
/// status and the parser.
struct StreamedAgentProcess<Parser: AgentStreamParser>: RunningTask {
    private final class Shared: Sendable {
        let parser: Mutex<Parser>
        init(_ parser: Parser) { self.parser = Mutex(parser) }
    }

    let process: SpawnedProcess
    private let shared: Shared
    let readers: [PipeLineReader]
    let drainTimeout: Duration
    let outcome: @Sendable (ExitStatus, Parser) -> ExecutorResult

    var processGroups: [Int32] { [process.processGroup] }

    /// Starts reading the pipes and writes `stdinText` (then closes stdin).
    init(
        process: SpawnedProcess, parser: Parser, task: ExecutorTask, output: RunOutput, stdinText: String?,
        maxLineBytes: Int, drainTimeout: Duration, outcome: @escaping @Sendable (ExitStatus, Parser) -> ExecutorResult
    ) {
        self.process = process
        let shared = Shared(parser)
        self.shared = shared
        self.drainTimeout = drainTimeout
        self.outcome = outcome
        let callbacks = task.callbacks
        let stdout = PipeLineReader(fd: process.stdoutFD, maxLineBytes: maxLineBytes) { line in
            guard !line.truncated else {
                output.pipeLine(line, stream: "stdout")
                return
            }
            let text = line.text
            for piece in GluedJSONSplitter.split(text[...]) {
                let event = shared.parser.withLock { $0.parse(piece) }
                output.emit(stream: "stdout", level: event.level, content: String(piece), metadata: event.metadata)
                if let snapshot = event.contextSnapshot { Task { await callbacks.contextUpdated(snapshot) } }
            }
        }
        let stderr = PipeLineReader(fd: process.stderrFD, maxLineBytes: maxLineBytes) { output.pipeLine($0, stream: "stderr") }
        stdout.start(name: "marionette-agent-out-\(process.pid)")
        stderr.start(name: "marionette-agent-err-\(process.pid)")
        readers = [stdout, stderr]
        if process.stdinFD >= 0 {
            let stdin = StdinWriter(fd: process.stdinFD)
            if let stdinText { stdin.writeLine(stdinText) }
            stdin.close()
        }
    }

    func result() async -> ExecutorResult {
        let status = await ProcessSpawner.waitForExit(process.pid)
        await PipeLineReader.drain(readers, within: drainTimeout)
        return outcome(status, shared.parser.withLock { $0 })
    }
}
