import Core
import Hummingbird
import Orchestrator

/// `/api/v1/sessions` (api.md §3).
enum SessionRoutes {
    static let statuses = ["pending", "active", "suspended", "resuming", "terminated"]

    static func register(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(api, prefix: "/api/v1", .post, "sessions") { request, context in
            let scope = try context.authorize("sessions:write", multiTenant: mt)
            let body = try await JSONIO.decode(CreateSessionRequest.self, from: request)
            let session = try await s.sessions.create(body, scope: scope)
            return try JSONIO.response(session, status: .created)
        }
        table.add(api, prefix: "/api/v1", .get, "sessions") { request, context in
            let scope = try context.authorize("sessions:read", multiTenant: mt)
            let query = QueryParams(request)
            var filter = SessionFilter()
            filter.statuses = try query.enums("status", statuses)
            filter.agent = query.first("agent")
            filter.lifecycleMode = try query.enums("lifecycle_mode", SessionService.lifecycleModes).first
            filter.labels = try query.labels()
            return try JSONIO.response(try await s.store.sessions(filter, page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "sessions/{sessionID}") { _, context in
            let scope = try context.authorize("sessions:read", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            return try JSONIO.response(try await s.sessions.get(id, scope: scope))
        }
        table.add(api, prefix: "/api/v1", .patch, "sessions/{sessionID}") { request, context in
            let scope = try context.authorize("sessions:write", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            let body = try await JSONIO.decode(UpdateSessionRequest.self, from: request)
            return try JSONIO.response(try await s.sessions.update(id, body, scope: scope))
        }
        table.add(api, prefix: "/api/v1", .delete, "sessions/{sessionID}") { _, context in
            let scope = try context.authorize("sessions:write", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            _ = try await s.sessions.terminate(id, scope: scope)
            return JSONIO.noContent()
        }
        table.add(api, prefix: "/api/v1", .post, "sessions/{sessionID}/suspend") { _, context in
            let scope = try context.authorize("sessions:write", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            _ = try await s.sessions.suspend(id, scope: scope)
            return JSONIO.noContent()
        }
        table.add(api, prefix: "/api/v1", .post, "sessions/{sessionID}/resume") { request, context in
            let scope = try context.authorize("sessions:write", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            let body = try await JSONIO.decodeOptional(ResumeSessionRequest.self, from: request)
            _ = try await s.sessions.resume(id, apiKey: body?.apiKey, scope: scope)
            return JSONIO.noContent()
        }
        table.add(api, prefix: "/api/v1", .post, "sessions/{sessionID}/tasks") { request, context in
            let scope = try context.authorize("tasks:write", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            let body = try await JSONIO.decode(CreateTaskRequest.self, from: request)
            let task = try await s.tasks.create(body, pathSessionID: id, scope: scope)
            return try JSONIO.response(task, status: .created)
        }
        table.add(api, prefix: "/api/v1", .get, "sessions/{sessionID}/tasks") { request, context in
            let scope = try context.authorize("tasks:read", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            _ = try await s.sessions.get(id, scope: scope)
            var filter = try TaskRoutes.filter(QueryParams(request))
            filter.sessionID = id
            return try JSONIO.response(try await s.store.tasks(filter, page: try QueryParams(request).page(), scope: scope))
        }
    }
}
