import NIOCore

/// What the ingress handler needs from the server: the router, the runtime and the scheme.
struct TunnelIngress: Sendable {
    let router: TunnelIngressRouter
    let runtime: TunnelRuntime
    /// `http` or `https` (X-Forwarded-Proto).
    let scheme: String
    /// `tunnels.idle_timeout_seconds`.
    let idleTimeout: TimeAmount
}
