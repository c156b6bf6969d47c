import Orchestrator

/// A request the runtime let through: the tunnel, the runner to ask, and the path-form prefix.
public struct TunnelHTTPGrant: Sendable {
    public var tunnel: TunnelRecord
    public var runnerID: String
    public var pathPrefix: String?
}
