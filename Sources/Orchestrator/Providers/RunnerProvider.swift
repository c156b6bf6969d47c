/// Starts and ends runners for sessions (orchestration.md §2.1, reduced to what the embedded
/// default needs; Docker, Kubernetes and pools implement the same protocol later).
public protocol RunnerProvider: Sendable {
    var name: String { get }
    /// Creates a runner row claimed for the session and starts its process. Returns the runner id.
    func spawn(for session: SessionRecord) async throws -> String
    /// Ends the runner's processes; idempotent ("not found" is success).
    func destroy(runnerID: String) async
}

public enum ProviderError: Error, CustomStringConvertible {
    case spawnFailed(String)
    case atCapacity(Int)

    public var description: String {
        switch self {
        case .spawnFailed(let reason): return "runner spawn failed: \(reason)"
        case .atCapacity(let max): return "the local provider already runs its maximum of \(max) runners"
        }
    }
}
