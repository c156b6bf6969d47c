import Core
import Hummingbird
import Orchestrator

/// `/api/v1/runners` (api.md §5), read-only.
enum RunnerRoutes {
    static func register(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(api, prefix: "/api/v1", .get, "runners") { request, context in
            let scope = try context.authorize("runners:read", multiTenant: mt)
            let query = QueryParams(request)
            var filter = RunnerFilter()
            filter.statuses = try query.enums("status", ["offline", "idle", "busy", "paused"])
            filter.poolName = query.first("pool_name")
            filter.labels = try query.labels()
            return try JSONIO.response(try await s.store.runners(filter, page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "runners/{runnerID}") { _, context in
            let scope = try context.authorize("runners:read", multiTenant: mt)
            let id = try context.pathID("runnerID", .runner, kind: "runner")
            guard let runner = try await s.store.runner(id, scope: scope) else { throw APIError.notFound("runner", id) }
            return try JSONIO.response(runner)
        }
    }
}
