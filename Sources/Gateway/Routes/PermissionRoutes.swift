import Core
import Hummingbird
import Orchestrator

/// `/api/v1/permissions` (api.md §6): list, get, approve, deny.
enum PermissionRoutes {
    static func register(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(api, prefix: "/api/v1", .get, "permissions") { request, context in
            let scope = try context.authorize("permissions:read", multiTenant: mt)
            let query = QueryParams(request)
            var filter = PermissionFilter()
            if let session = query.first("session_id") {
                guard ID.isValid(session, prefix: .session) else { throw APIError.notFound("session", session) }
                filter.sessionID = session
            }
            if let task = query.first("task_id") {
                guard ID.isValid(task, prefix: .task) else { throw APIError.notFound("task", task) }
                filter.taskID = task
            }
            filter.statuses = try query.enums("status", PermissionRecord.statuses)
            filter.riskLevels = try query.enums("risk_level", PermissionRecord.riskLevels)
            return try JSONIO.response(try await s.permissions.list(filter, page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "permissions/{permissionID}") { _, context in
            let scope = try context.authorize("permissions:read", multiTenant: mt)
            let id = try context.pathID("permissionID", .permission, kind: "permission request")
            return try JSONIO.response(try await s.permissions.get(id, scope: scope))
        }
        for (verb, approved) in [("approve", true), ("deny", false)] {
            table.add(api, prefix: "/api/v1", .post, "permissions/{permissionID}/\(verb)") { request, context in
                let scope = try context.authorize("permissions:write", multiTenant: mt)
                let id = try context.pathID("permissionID", .permission, kind: "permission request")
                let body = try await JSONIO.decodeOptional(PermissionAnswerRequest.self, from: request)
                _ = try await s.permissions.answer(
                    id, approved: approved, reason: body?.reason, respondedBy: context.principal?.keyID, scope: scope)
                return JSONIO.noContent()
            }
        }
    }
}
