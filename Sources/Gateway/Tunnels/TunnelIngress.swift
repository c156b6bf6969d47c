import Core
import NIOCore

/// What the ingress handler needs from the server: the router, the runtime and the scheme.
struct TunnelIngress: Sendable {
    let router: TunnelIngressRouter
    let runtime: TunnelRuntime
    /// `http` or `https` (X-Forwarded-Proto).
    let scheme: String
    /// `tunnels.idle_timeout_seconds`.
    let idleTimeout: TimeAmount
    /// `tunnels.response_header_timeout_seconds`: a request sent whole waits this long for its
    /// response head, then the client gets 504.
    var responseHeaderTimeout: TimeAmount = .seconds(60)
    /// `tunnels.websocket_upgrade_timeout_seconds`: the same for an upgrade's answer (101 or not).
    var upgradeTimeout: TimeAmount = .seconds(30)
    /// `server.trusted_proxies`: a client connection from one of these keeps the
    /// `X-Forwarded-For` chain it sent (this hop is added to it).
    var trustedProxies: [CIDR] = []
}
