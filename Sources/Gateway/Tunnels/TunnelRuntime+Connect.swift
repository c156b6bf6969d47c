import Core
import Fabric
import NIOCore
import Orchestrator

extension TunnelRuntime {
    /// `GET /api/v1/tunnels/{tunnelID}/connect` (api.md §9.1): the checks a TCP tunnel accept makes
    /// (open, runner connected, connection limit), answered as API errors before the upgrade.
    /// `credential` is an API key (`tunnels:read`, the tunnel's tenant) or the tunnel's `ttok_`.
    /// Order: credential format and key (401/403), tunnel exists for the caller (404), closed or
    /// expired (410), token matches (401), connection limit (503), runner connected (503).
    func authorizeConnect(tunnelID: String, credential: String) async throws(APIError) -> TunnelHTTPGrant {
        let isTunnelToken = credential.hasPrefix("ttok_")
        var tenant: String??
        if !isTunnelToken {
            let principal = try await apiKeys.authenticate(credential)
            try principal.require("tunnels:read")
            if multiTenant, !principal.isSystem { tenant = .some(principal.tenantID) }
        }
        guard settings.enabled, ID.isValid(tunnelID, prefix: .tunnel) else { throw APIError.notFound("tunnel", tunnelID) }
        let found: TunnelTarget?
        do {
            found = try await store.tunnelTarget(id: tunnelID)
        } catch {
            logger.error("tunnel lookup failed", metadata: ["error": "\(error)"])
            throw APIError.serviceUnavailable("tunnel lookup failed; retry")
        }
        // Another tenant's tunnel answers 404, never 403 (api.md §1.3).
        guard let target = found, tenant == nil || tenant == .some(target.tunnel.tenantID) else {
            throw APIError.notFound("tunnel", tunnelID)
        }
        let tunnel = target.tunnel
        switch tunnel.status(at: store.clock.now()) {
        case .closed: throw APIError.gone("tunnel_closed", "tunnel \(tunnelID) was closed")
        case .expired: throw APIError.gone("tunnel_expired", "tunnel \(tunnelID) expired")
        case .active: break
        }
        if isTunnelToken, !TunnelService.tokenMatches(credential, tunnel: tunnel) {
            throw APIError.unauthenticated("invalid_token", "the tunnel token is not valid for this tunnel")
        }
        switch admit(target) {
        case .runner(let runnerID): return TunnelHTTPGrant(tunnel: tunnel, runnerID: runnerID, pathPrefix: nil)
        case .refused(let code, let message): throw APIError(status: 503, code: code, message: message)
        }
    }

    /// A WebSocket client of `/connect` was upgraded: one raw TCP connection to the tunnel's port,
    /// counted, limited and logged like a TCP tunnel accept (metrics type `tcp`).
    func connectWebSocket(grant: TunnelHTTPGrant, client: TunnelSplicePeer, source: String, closeFuture: EventLoopFuture<Void>) {
        logger.info(
            "tunnel websocket connection",
            metadata: ["tunnel_id": "\(grant.tunnel.id)", "source": "\(source)", "local_port": "\(grant.tunnel.localPort)"])
        connect(grant: grant, protocol: "tcp", clientAddress: source, client: client, closeFuture: closeFuture)
    }
}
