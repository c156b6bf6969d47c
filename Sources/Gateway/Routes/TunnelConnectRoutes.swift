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
            (try? await authorize(request, tunnelID: context.parameters.get("tunnelID"), s)) == nil
                ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let runtime = s.tunnelRuntime
            let grant: TunnelHTTPGrant
            do {
                grant = try await authorize(
                    context.request, tunnelID: context.requestContext.parameters.get("tunnelID"), s)
            } catch let error as APIError {
                // The tunnel changed between the upgrade check and now (closed, runner gone, full).
                let frame = TunnelWebSocketCloseState.closeFrame(
                    for: .tunnelEnded(status: error.status, code: error.code, message: error.message))
                try? await outbound.close(WebSocketErrorCode(codeNumber: Int(frame.code)), reason: frame.reason)
                return
            }
            let source = context.requestContext.remoteAddress?.ipAddress ?? ""
            let channel = context.requestContext.channel
            channel.eventLoop.execute { TunnelWebSocketUnmasker.install(on: channel) }
            await TunnelWebSocketEnd.serve(
                inbound: inbound, outbound: outbound, eventLoop: context.requestContext.eventLoop,
                idleTimeout: .seconds(runtime.settings.idleTimeoutSeconds)
            ) { link, closed in
                runtime.connectWebSocket(grant: grant, client: link, source: source, closeFuture: closed)
            }
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
