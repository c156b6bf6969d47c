import Core
import Hummingbird
import Orchestrator

/// `/admin/api/v1/runners` (api.md §13.2): every tenant's runners with their provider fields, and
/// destroying a free one.
enum AdminRunnerRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .get, "runners") { request, _ in
            let query = QueryParams(request)
            var filter = RunnerFilter()
            filter.statuses = try query.enums("status", ["offline", "idle", "busy", "paused"])
            filter.poolName = query.first("pool_name").flatMap { $0.isEmpty ? nil : $0 }
            filter.labels = try AdminKeyRoutes.adminLabels(query.first("labels"))
            return try JSONIO.response(try await s.store.adminRunners(filter, page: try query.page(defaultLimit: 50, maxLimit: 100)))
        }
        table.add(admin, prefix: prefix, .get, "runners/{runnerID}") { _, context in
            let id = try context.pathID("runnerID", .runner, kind: "runner")
            guard let runner = try await s.store.adminRunner(id) else { throw APIError.notFound("runner", id) }
            return try JSONIO.response(runner)
        }
        table.add(admin, prefix: prefix, .delete, "runners/{runnerID}") { _, context in
            let id = try context.pathID("runnerID", .runner, kind: "runner")
            try await s.runnerAdmin.destroy(id)
            return JSONIO.noContent()
        }
    }
}
