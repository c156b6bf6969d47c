/// Identifies one run of a task (`RunRef` on the wire).
public struct RunKey: Sendable, Hashable {
    public var taskID: String
    public var runID: String
    public var attempt: Int32

    public init(taskID: String, runID: String, attempt: Int32) {
        self.taskID = taskID
        self.runID = runID
        self.attempt = attempt
    }
}

/// Per-process memory of runs (runner-protocol.md §4.4): a redelivered `ExecuteTask` for an
/// in-flight run is ignored; for one of the last `capacity` completed runs the stored terminal
/// message is re-sent instead of running the prompt again; runs that ended without a result
/// (killed by a detach) are forgotten so a resume may run them again.
public struct RunLedger<Completion: Sendable>: Sendable {
    public enum Disposition: Sendable {
        case new
        case inFlight
        case completed(Completion)
    }

    public let capacity: Int
    private var inFlight: [String: (key: RunKey, sessionID: String)] = [:]
    private var inFlightOrder: [String] = []
    private var completed: [String: Completion] = [:]
    private var completedOrder: [String] = []

    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    public func disposition(of runID: String) -> Disposition {
        if inFlight[runID] != nil { return .inFlight }
        if let completion = completed[runID] { return .completed(completion) }
        return .new
    }

    public mutating func begin(_ key: RunKey, sessionID: String) {
        if inFlight.updateValue((key, sessionID), forKey: key.runID) == nil { inFlightOrder.append(key.runID) }
    }

    /// Stores the terminal message; evicts the oldest beyond `capacity`.
    public mutating func complete(_ runID: String, with completion: Completion) {
        removeInFlight(runID)
        if completed.updateValue(completion, forKey: runID) == nil {
            completedOrder.append(runID)
            while completedOrder.count > capacity {
                completed.removeValue(forKey: completedOrder.removeFirst())
            }
        }
    }

    /// The run ended without a result: forget it entirely.
    public mutating func forget(_ runID: String) {
        removeInFlight(runID)
    }

    /// In-flight runs in start order (`Heartbeat.running_runs`).
    public var running: [RunKey] { inFlightOrder.compactMap { inFlight[$0]?.key } }

    public func running(inSession sessionID: String) -> [RunKey] {
        inFlightOrder.compactMap { inFlight[$0] }.filter { $0.sessionID == sessionID }.map(\.key)
    }

    public var completedCount: Int { completed.count }

    private mutating func removeInFlight(_ runID: String) {
        if inFlight.removeValue(forKey: runID) != nil { inFlightOrder.removeAll { $0 == runID } }
    }
}
