/// What the fabric and dispatch report for metrics (orchestration.md §12). The Gateway implements
/// it over its Prometheus registry; the Orchestrator only counts, it never formats or exports.
public protocol OrchestratorMetrics: Sendable {
    /// Lines stored by `StreamLogs` (duplicates excluded).
    func logLinesIngested(_ count: Int, bytes: Int)
    /// A run was sent to its runner this long after its task was created.
    func taskDispatched(afterMilliseconds: Int64)
    /// A task reached a terminal status (completed, failed, timeout, canceled).
    func taskEnded(status: String)
}

/// Counts nothing (tests, tools).
public struct NoOrchestratorMetrics: OrchestratorMetrics {
    public init() {}
    public func logLinesIngested(_ count: Int, bytes: Int) {}
    public func taskDispatched(afterMilliseconds: Int64) {}
    public func taskEnded(status: String) {}
}
