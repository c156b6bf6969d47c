import Core

/// The output side of one run: executors (from any thread) emit lines; one consumer task appends
/// them to the `LogBuffer` in emission order, where they get their sequence numbers. Emitting
/// never blocks the task (orchestration.md §4.1 `OutputHandler.output`).
public final class RunOutput: Sendable {
    public struct Entry: Sendable {
        public var stream: String
        public var level: String
        public var content: String
        public var timestampMs: Int64
        public var metadata: [String: String]
    }

    public let runID: String
    private let continuation: AsyncStream<Entry>.Continuation
    private let consumer: Task<Void, Never>
    private let clock: any WallClock
    private let redactor: SecretRedactor

    /// `redactor`: the run's agent key, replaced in every line before it is buffered.
    public init(
        runID: String, buffer: LogBuffer, clock: any WallClock = SystemWallClock(), redactor: SecretRedactor = SecretRedactor(secrets: [AgentSecret]())
    ) {
        self.runID = runID
        self.clock = clock
        self.redactor = redactor
        let (stream, continuation) = AsyncStream.makeStream(of: Entry.self, bufferingPolicy: .unbounded)
        self.continuation = continuation
        consumer = Task {
            for await entry in stream {
                await buffer.append(
                    to: runID, stream: entry.stream, level: entry.level, content: entry.content,
                    timestampMs: entry.timestampMs, metadata: entry.metadata)
            }
        }
    }

    public func emit(stream: String, level: String, content: String, metadata: [String: String] = [:]) {
        var content = content
        var metadata = metadata
        if !redactor.isEmpty {
            content = redactor.redact(content)
            for (key, value) in metadata { metadata[key] = redactor.redact(value) }
        }
        continuation.yield(
            Entry(stream: stream, level: level, content: content, timestampMs: clock.now().milliseconds, metadata: metadata))
    }

    /// A system line (`stream=system`, level info).
    public func system(_ content: String) {
        emit(stream: "system", level: "info", content: content)
    }

    /// A line read from a task pipe: stdout → info, stderr → error; pieces of over-long lines carry
    /// `truncated=true`.
    public func pipeLine(_ line: LineSplitter.Line, stream: String) {
        emit(
            stream: stream, level: stream == "stderr" ? "error" : "info", content: line.text,
            metadata: line.truncated ? ["truncated": "true"] : [:])
    }

    /// No more lines; returns when every emitted line is in the buffer.
    public func close() async {
        continuation.finish()
        await consumer.value
    }
}
