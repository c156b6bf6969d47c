import Core
import Hummingbird
import HummingbirdWebSocket
import NIOWebSocket
import Orchestrator

/// `GET /api/v1/tunnels/{tunnelID}/connect` (api.md §9.1): a WebSocket whose binary frames are the
/// raw bytes of one TCP connection to the tunnel's port in the runner (`mctl tunnels connect`).
/// The credential is an API key with `tunnels:read` or the tunnel's `ttok_` token, in
/// `Authorization: Bearer` or `?token=`. Hummingbird answers a refused upgrade with a bare 400, so
/// the same path without upgrade headers is a plain route that answers the checks as
/// `{code, message}` (404, 401, 403, 410, 503), or 426 `upgrade_required` when all pass: clients
/// (mctl) ask it first to report why.
enum TunnelConnectRoutes {
    static let path = "/api/v1/tunnels/{tunnelID}/connect"

    static func register(_ router: Router<WebSocketAPIContext>, _ s: GatewayServices) {
        router.ws(RouterPath(path)) { request, context in
            guard let grant = try? await authorize(request, tunnelID: context.parameters.get("tunnelID"), s) else {
                return .dontUpgrade
            }
            // The runner is asked to dial now, before the 101 goes out: mctl opens its next
            // connection's WebSocket only after this one's 101, so the origin accepts the
            // connections in the order mctl accepted them (iperf3 --bidir tells its two data
            // connections apart by that order).
            let runtime = s.tunnelRuntime
            let source = context.remoteAddress?.ipAddress ?? ""
            let prepared = await TunnelWebSocketEnd.prepare(eventLoop: context.eventLoop) { link, closed in
                runtime.connectWebSocket(grant: grant, client: link, source: source, closeFuture: closed)
            }
            guard let prepared else { return .dontUpgrade }
            runtime.pendingWebSockets.put(prepared, for: context.channel)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let runtime = s.tunnelRuntime
            let channel = context.requestContext.channel
            guard let prepared = runtime.pendingWebSockets.take(for: channel) else {
                // Not prepared by the upgrade check on this connection: nothing to relay.
                try? await outbound.close(.unexpectedServerError, reason: "tunnel connection not prepared")
                return
            }
            channel.eventLoop.execute { TunnelWebSocketUnmasker.install(on: channel) }
            await TunnelWebSocketEnd.serve(
                prepared, inbound: inbound, outbound: outbound, idleTimeout: .seconds(runtime.settings.idleTimeoutSeconds))
        }
    }

    /// The plain route of the same path (no API-key middleware: a `ttok_` token is valid here).
    static func registerFallback(_ table: inout RouteTable, _ router: Router<APIContext>, _ s: GatewayServices) {
        table.add(router, .get, path) { request, context in
            let tunnelID = context.parameters.get("tunnelID")
            do throws(APIError) {
                _ = try await authorize(request, tunnelID: tunnelID, s)
            } catch {
                // As the API-key middleware does on other /api/v1 routes, and as TCP accepts log refusals.
                if error.status == 401 {
                    await s.authFailures.failed(request, context: context, actorType: "api_key", code: error.code)
                }
                s.logger.info(
                    "tunnel connect refused", metadata: ["tunnel_id": "\(tunnelID ?? "")", "code": "\(error.code)"])
                throw error
            }
            throw APIError(
                status: 426, code: "upgrade_required",
                message: "connect with a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)")
        }
    }

    static func authorize(_ request: Request, tunnelID: String?, _ s: GatewayServices) async throws(APIError) -> TunnelHTTPGrant {
        let credential = try credential(request)
        guard let tunnelID, !tunnelID.isEmpty else { throw APIError.invalidID() }
        return try await s.tunnelRuntime.authorizeConnect(tunnelID: tunnelID, credential: credential)
    }

    /// `Authorization: Bearer` (an API key or a `ttok_`), else `?token=`; the header wins.
    static func credential(_ request: Request) throws(APIError) -> String {
        if request.headers[.authorization] != nil { return try APIKeyMiddleware.credential(request) }
        if let query = QueryParams(request).first("token"), !query.isEmpty { return query }
        throw APIError.unauthenticated(
            "missing_auth", "an API key with tunnels:read or the tunnel's ttok_ token is required (Authorization: Bearer or ?token=)")
    }
}
