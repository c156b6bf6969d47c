import Core
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import Orchestrator

/// Builds the routers of both listeners. main and the tests share it, so what is tested is what runs.
public enum GatewayBuilder {
    public static func publicRouter(_ services: GatewayServices) -> (Router<APIContext>, [RouteSpec]) {
        let router = Router(context: APIContext.self)
        // Outermost, so it records the status ErrorMiddleware turned an error into.
        router.add(middleware: HTTPMetricsMiddleware(metrics: services.metrics.http))
        router.add(middleware: ErrorMiddleware(logger: services.logger))
        router.add(middleware: CORSMiddleware(origins: services.config.corsOrigins))
        var table = RouteTable()
        HealthRoutes.register(&table, router, services, admin: false)
        WebPageRoutes.register(router)
        WebRTCSignalingRoutes.register(&table, router, services)
        TunnelConnectRoutes.registerFallback(&table, router, services)
        let api = router.group("api/v1").add(middleware: APIKeyMiddleware(authenticator: services.authenticator, failures: services.authFailures))
            .add(middleware: AuditMiddleware(store: services.store))
        registerPublicAPI(&table, api, services)
        return (router, table.specs)
    }

    /// The `/api/v1` routes behind an API key: on the public listener, and forwarded on the admin
    /// listener with a system principal (api.md §13.1), so both serve the same handlers.
    static func registerPublicAPI(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ services: GatewayServices) {
        SessionRoutes.register(&table, api, services)
        TaskRoutes.register(&table, api, services)
        RunnerRoutes.register(&table, api, services)
        PermissionRoutes.register(&table, api, services)
        WorkspaceRoutes.register(&table, api, services)
        StreamRoutes.register(&table, api, services)
        TunnelRoutes.register(&table, api, services)
        EventRoutes.registerSSE(&table, api, services)
    }

    /// The public listener: the API (HTTP/1.1 with WebSocket upgrades, HTTPS when `tls` is given)
    /// with the tunnel ingress in front when `tunnels.enabled`. `onListening` gets the bound address.
    public static func publicServer(
        _ services: GatewayServices, router: Router<APIContext>, tls: TLSConfiguration?, host: String, port: Int,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) -> PublicServer {
        let config = services.config
        let serverName = "Marionette"
        let ingress = TunnelIngress(
            router: TunnelIngressRouter(domain: config.tunnels.domain, pathForm: config.tunnels.pathFormEnabled),
            runtime: services.tunnelRuntime,
            scheme: tls == nil ? "http" : "https", idleTimeout: .seconds(Int64(config.tunnels.idleTimeoutSeconds)),
            responseHeaderTimeout: .seconds(Int64(config.tunnels.responseHeaderTimeoutSeconds)),
            upgradeTimeout: .seconds(Int64(config.tunnels.websocketUpgradeTimeoutSeconds)),
            trustedProxies: config.trustedProxies.compactMap(CIDR.init))
        let http = HTTP1WebSocketUpgradeChannel(
            responder: PublicServer.responder(router, serverName: serverName, logger: services.logger),
            webSocketResponder: webSocketRouter(services).buildResponder(),
            // 256 KiB frames (input clipboard pastes); pings every 30 s, and a peer that misses a
            // pong is closed (api.md §10.4).
            configuration: .init(maxFrameSize: StreamInputJSON.maxMessageBytes, autoPing: .enabled(timePeriod: .seconds(30))))
        return PublicServer(
            configuration: .init(host: host, port: port, tls: tls, serverName: serverName), http: http,
            ingress: config.tunnels.enabled ? ingress : nil,
            steering: config.tunnels.enabled ? services.tunnelRuntime.acceptSteering : nil, logger: services.logger,
            onListening: onListening)
    }

    /// Routes that upgrade to WebSocket on the public listener.
    public static func webSocketRouter(_ services: GatewayServices) -> Router<WebSocketAPIContext> {
        let router = Router(context: WebSocketAPIContext.self)
        LogWebSocketRoutes.register(router, services)
        StreamInputRoutes.register(router, services)
        EventRoutes.register(router, services)
        TunnelConnectRoutes.register(router, services)
        return router
    }

    /// The admin listener's server: HTTP/1.1 with the admin WebSocket upgrades (TLS when given).
    public static func adminServer(_ services: GatewayServices, tls: TLSConfiguration?) -> HTTPServerBuilder {
        let webSocketResponder = adminWebSocketRouter(services).buildResponder()
        return HTTPServerBuilder { responder in
            let http = HTTP1WebSocketUpgradeChannel(
                responder: responder, webSocketResponder: webSocketResponder,
                configuration: .init(autoPing: .enabled(timePeriod: .seconds(30))))
            if let tls { return try TLSChannel(http, tlsConfiguration: tls) }
            return http
        }
    }

    /// Routes that upgrade to WebSocket on the admin listener.
    public static func adminWebSocketRouter(_ services: GatewayServices) -> Router<WebSocketAPIContext> {
        let router = Router(context: WebSocketAPIContext.self)
        EventRoutes.registerAdmin(router, services, tickets: services.webSocketTickets)
        // The forwarded public WebSockets the admin UI uses: the log follow (admin ticket) and the
        // embedded viewer's input socket (stream token, as on the public listener).
        LogWebSocketRoutes.register(router, services, admin: services.webSocketTickets)
        StreamInputRoutes.register(router, services)
        return router
    }

    /// `observability.metrics.enabled`: a listener of its own with only the metrics path (for a
    /// scraper that must not reach the admin API).
    public static func metricsRouter(_ services: GatewayServices) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: ErrorMiddleware(logger: services.logger))
        var table = RouteTable()
        MetricsRoutes.register(&table, router, services, path: services.config.metricsListener.path)
        return router
    }

    public static func adminRouter(_ services: GatewayServices) -> (Router<APIContext>, [RouteSpec]) {
        let router = Router(context: APIContext.self)
        router.add(middleware: HTTPMetricsMiddleware(metrics: services.metrics.http))
        router.add(middleware: ErrorMiddleware(logger: services.logger))
        // Innermost: a GET no route matched is a web UI path (index.html fallback, admin auth).
        router.add(middleware: AdminUIMiddleware(authenticator: services.admin, failures: services.authFailures))
        var table = RouteTable()
        HealthRoutes.register(&table, router, services, admin: true)
        MetricsRoutes.register(&table, router, services)
        AdminStatusRoutes.register(&table, router, services)
        // The stream viewer and its WHEP/WHIP endpoints, so the UI embeds the viewer from its own
        // origin; they check stream tokens themselves, as on the public listener.
        WebPageRoutes.register(router)
        var forwardedTable = RouteTable()
        WebRTCSignalingRoutes.register(&forwardedTable, router, services)
        // The public API on the admin origin (api.md §13.1), in-process: admin auth, then a system
        // principal in place of an API key. Not part of the admin route table (openapi.yaml documents
        // these routes once, on the public listener).
        let forward = router.group("api/v1").add(middleware: AdminAuthMiddleware(authenticator: services.admin, failures: services.authFailures))
            .add(middleware: SystemPrincipalMiddleware())
            .add(middleware: AuditMiddleware(store: services.store))
        registerPublicAPI(&forwardedTable, forward, services)
        let admin = router.group("admin/api/v1").add(middleware: AdminAuthMiddleware(authenticator: services.admin, failures: services.authFailures))
            .add(middleware: AuditMiddleware(store: services.store))
        AdminKeyRoutes.register(&table, admin, services)
        AdminRunnerTokenRoutes.register(&table, admin, services)
        AdminWebhookRoutes.register(&table, admin, services)
        AdminAgentConfigRoutes.register(&table, admin, services)
        AdminProviderConfigRoutes.register(&table, admin, services)
        AdminProfileRoutes.register(&table, admin, services)
        AdminRunnerRoutes.register(&table, admin, services)
        AdminAuditRoutes.register(&table, admin, services)
        AdminStreamTunnelRoutes.register(&table, admin, services)
        table.add(admin, prefix: "/admin/api/v1", .post, "ws-tickets") { _, _ in
            let issued = services.webSocketTickets.issue()
            return try JSONIO.response(WebSocketTicketResponse(ticket: issued.ticket, expiresAt: issued.expiresAt), status: .created)
        }
        return (router, table.specs)
    }
}
