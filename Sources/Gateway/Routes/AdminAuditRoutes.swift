import Core
import Hummingbird
import Orchestrator

/// `GET /admin/api/v1/action-logs` and `/action-logs/{logID}` (api.md §13.2): the audit log.
enum AdminAuditRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .get, "action-logs") { request, _ in
            let query = QueryParams(request)
            var filter = ActionLogFilter()
            filter.actorType = try query.enums("actor_type", ["user", "api_key", "system", "runner"]).first
            filter.actorID = query.first("actor_id")
            filter.action = query.first("action")
            filter.actionPrefix = query.first("action_prefix")
            filter.resourceType = query.first("resource_type")
            filter.resourceID = query.first("resource_id")
            filter.sessionID = query.first("session_id")
            filter.taskID = query.first("task_id")
            if query.first("success") != nil { filter.success = try query.bool("success") }
            filter.from = try timestamp(query, "from")
            filter.to = try timestamp(query, "to")
            return try JSONIO.response(try await s.store.actionLogs(filter, page: try query.page(defaultLimit: 50, maxLimit: 200)))
        }
        table.add(admin, prefix: prefix, .get, "action-logs/{logID}") { _, context in
            let id = try context.pathID("logID", .actionLog, kind: "action log")
            guard let log = try await s.store.actionLog(id) else { throw APIError.notFound("action log", id) }
            return try JSONIO.response(log)
        }
    }

    /// RFC 3339 (`2026-11-30T12:00:00Z`).
    static func timestamp(_ query: QueryParams, _ name: String) throws(APIError) -> Timestamp? {
        guard let text = query.first(name), !text.isEmpty else { return nil }
        guard let value = RFC3339.parse(text) else {
            throw .validation("\(name) must be an RFC 3339 time such as 2026-11-30T12:00:00Z", field: name)
        }
        return value
    }
}
