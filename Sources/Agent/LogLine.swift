/// One output line of a run, as the agent keeps it until the server acknowledges it
/// (runner-protocol.md §9 `LogEntry` without the ids, which the run's `RunLogContext` holds).
public struct LogLine: Sendable, Equatable, Codable {
    /// Per-run sequence (local numbering of the ledger; see `LogLedger.wireOffset`).
    public var sequence: Int64
    /// `stdout`, `stderr` or `system`.
    public var stream: String
    /// `debug`, `info`, `warn` or `error`.
    public var level: String
    public var content: String
    public var timestampMs: Int64
    public var metadata: [String: String]

    public init(
        sequence: Int64, stream: String, level: String, content: String, timestampMs: Int64,
        metadata: [String: String] = [:]
    ) {
        self.sequence = sequence
        self.stream = stream
        self.level = level
        self.content = content
        self.timestampMs = timestampMs
        self.metadata = metadata
    }

    /// Bytes this line is charged against the memory budget (content, metadata and a fixed
    /// overhead for the other fields).
    public var chargedBytes: Int {
        var bytes = 64 + content.utf8.count + stream.utf8.count + level.utf8.count
        for (key, value) in metadata { bytes += key.utf8.count + value.utf8.count + 8 }
        return bytes
    }
}

/// Everything `StreamLogsInit` and `LogEntry` need besides the line, and where the run's spill
/// file lives.
public struct RunLogContext: Sendable, Hashable, Codable {
    public var sessionID: String
    public var taskID: String
    public var runID: String
    public var tenantID: String
    /// The session workspace; spill files go to `<workspace>/.marionette/state/logs/<run_id>.ndjson`.
    public var workspacePath: String

    public init(sessionID: String, taskID: String, runID: String, tenantID: String, workspacePath: String) {
        self.sessionID = sessionID
        self.taskID = taskID
        self.runID = runID
        self.tenantID = tenantID
        self.workspacePath = workspacePath
    }
}
