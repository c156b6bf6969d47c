/// The position of the last log line shown while following, used to resume
/// after a reconnect so that no line is shown twice or lost.
public struct LogResumeState: Sendable, Equatable {
    public private(set) var runID: String?
    public private(set) var attempt: Int?
    public private(set) var sequence: Int64?

    /// Starts at an explicit resume point (`--run`, `--after-sequence`) or at the beginning.
    public init(runID: String? = nil, sequence: Int64? = nil) {
        self.runID = runID
        self.sequence = sequence
    }

    /// Whether a line was shown (or a resume point was given).
    public var hasPosition: Bool { sequence != nil }

    /// Decides whether a `log` record is new and, if so, advances to it.
    /// Records at or before the current position (same run with a lower or
    /// equal sequence, or a run of a lower attempt) are rejected.
    public mutating func accept(_ record: JSONValue) -> Bool {
        let recordRun = record["run_id"]?.stringValue
        let recordAttempt = record["attempt"]?.intValue
        guard let recordSequence = record["sequence"]?.int64Value else { return true }
        if let sequence, let runID {
            if recordRun == runID {
                if recordSequence <= sequence { return false }
            } else if let attempt, let recordAttempt, recordAttempt < attempt {
                return false
            }
        } else if let sequence, runID == nil, recordRun == nil, recordSequence <= sequence {
            return false
        }
        runID = recordRun ?? runID
        if let recordAttempt { attempt = recordAttempt }
        sequence = recordSequence
        return true
    }

    /// The query for (re)connecting: the base query, resumed after the last
    /// shown line when there is one (then `tail` and `cursor` no longer apply).
    public func query(base: LogQuery) -> LogQuery {
        guard let sequence else { return base }
        var query = base
        query.afterSequence = sequence
        query.runID = runID ?? base.runID
        query.tail = nil
        query.cursor = nil
        return query
    }
}
