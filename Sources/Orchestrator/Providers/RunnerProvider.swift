/// Starts and ends runners for sessions (orchestration.md §2.1, reduced to what the embedded
/// default needs; Docker, Kubernetes and pools implement the same protocol later).
public protocol RunnerProvider: Sendable {
    var name: String { get }
    /// Creates a runner row claimed for the session and starts its process. Returns the runner id.
    func spawn(for session: SessionRecord) async throws -> String
    /// Ends the runner's processes; idempotent ("not found" is success).
    func destroy(runnerID: String) async
    /// Runner processes of this provider that ended, as they end (one consumer).
    var processExits: AsyncStream<RunnerProcessExit> { get }
}

extension RunnerProvider {
    /// Providers that do not watch processes report none.
    public var processExits: AsyncStream<RunnerProcessExit> { AsyncStream { $0.finish() } }
}

/// A runner process that ended, whether or not its agent ever connected.
public struct RunnerProcessExit: Sendable, Equatable {
    public var runnerID: String
    public var sessionID: String
    /// "exit status N" or "signal N".
    public var status: String
    /// Where the process's output went.
    public var logPath: String

    public init(runnerID: String, sessionID: String, status: String, logPath: String) {
        self.runnerID = runnerID
        self.sessionID = sessionID
        self.status = status
        self.logPath = logPath
    }
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
