import Core
import Hummingbird
import Logging
import Orchestrator

/// Builds the routers of both listeners. main and the tests share it, so what is tested is what runs.
public enum GatewayBuilder {
    public static func publicRouter(_ services: GatewayServices) -> (Router<APIContext>, [RouteSpec]) {
        let router = Router(context: APIContext.self)
        router.add(middleware: ErrorMiddleware(logger: services.logger))
        router.add(middleware: CORSMiddleware(origins: services.config.corsOrigins))
        var table = RouteTable()
        HealthRoutes.register(&table, router, services, admin: false)
        WebPageRoutes.register(router)
        WebRTCSignalingRoutes.register(&table, router, services)
        let api = router.group("api/v1").add(middleware: APIKeyMiddleware(authenticator: services.authenticator))
        SessionRoutes.register(&table, api, services)
        TaskRoutes.register(&table, api, services)
        RunnerRoutes.register(&table, api, services)
        WorkspaceRoutes.register(&table, api, services)
        StreamRoutes.register(&table, api, services)
        TunnelRoutes.register(&table, api, services)
        return (router, table.specs)
    }

    /// Routes that upgrade to WebSocket on the public listener.
    public static func webSocketRouter(_ services: GatewayServices) -> Router<WebSocketAPIContext> {
        let router = Router(context: WebSocketAPIContext.self)
        LogWebSocketRoutes.register(router, services)
        return router
    }

    public static func adminRouter(_ services: GatewayServices) -> (Router<APIContext>, [RouteSpec]) {
        let router = Router(context: APIContext.self)
        router.add(middleware: ErrorMiddleware(logger: services.logger))
        var table = RouteTable()
        HealthRoutes.register(&table, router, services, admin: true)
        let admin = router.group("admin/api/v1").add(middleware: AdminAuthMiddleware(authenticator: services.admin))
        AdminKeyRoutes.register(&table, admin, services)
        AdminRunnerTokenRoutes.register(&table, admin, services)
        return (router, table.specs)
    }
}
