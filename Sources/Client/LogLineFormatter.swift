import Foundation

/// Renders log records as text lines: `[HH:MM:SS] [level] content` in local
/// time (or the full RFC 3339 timestamp), preceded by
/// `--- run <run_id> (attempt N) ---` whenever the run changes.
public struct LogLineFormatter: Sendable {
    public var fullTimestamps: Bool
    public var timeZone: TimeZone
    public private(set) var currentRunID: String?

    public init(fullTimestamps: Bool = false, timeZone: TimeZone = .current) {
        self.fullTimestamps = fullTimestamps
        self.timeZone = timeZone
    }

    /// The lines for one log record. `attempt` overrides the record's own `attempt` field.
    public mutating func lines(for record: JSONValue, attempt: Int? = nil) -> [String] {
        var out: [String] = []
        if let runID = record["run_id"]?.stringValue, runID != currentRunID {
            currentRunID = runID
            if let number = attempt ?? record["attempt"]?.intValue {
                out.append("--- run \(runID) (attempt \(number)) ---")
            } else {
                out.append("--- run \(runID) ---")
            }
        }
        let rawTime = record["timestamp"]?.stringValue ?? record["created_at"]?.stringValue ?? ""
        let time: String
        if fullTimestamps {
            time = rawTime
        } else if let date = Timestamp.parse(rawTime) {
            time = Timestamp.clockTime(date, timeZone: timeZone)
        } else {
            time = rawTime
        }
        let level = record["level"]?.stringValue ?? "info"
        var content = record["content"]?.stringValue ?? ""
        if content.hasSuffix("\r\n") {
            content.removeLast(2)
        } else if content.hasSuffix("\n") {
            content.removeLast()
        }
        out.append("[\(time)] [\(level)] \(content)")
        return out
    }
}
