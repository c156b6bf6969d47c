import Core
import Hummingbird
import Orchestrator

/// `/api/v1/workspaces` (api.md §7).
enum WorkspaceRoutes {
    static func register(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(api, prefix: "/api/v1", .post, "workspaces") { request, context in
            let scope = try context.authorize("workspaces:write", multiTenant: mt)
            let body = try await JSONIO.decode(CreateWorkspaceRequest.self, from: request)
            return try JSONIO.response(try await s.workspaces.create(body, scope: scope), status: .created)
        }
        table.add(api, prefix: "/api/v1", .get, "workspaces") { request, context in
            let scope = try context.authorize("workspaces:read", multiTenant: mt)
            let query = QueryParams(request)
            return try JSONIO.response(
                try await s.store.workspaces(labels: try query.labels(), page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "workspaces/{workspaceID}") { _, context in
            let scope = try context.authorize("workspaces:read", multiTenant: mt)
            let id = try context.pathID("workspaceID", .workspace, kind: "workspace")
            return try JSONIO.response(try await s.workspaces.get(id, scope: scope))
        }
        table.add(api, prefix: "/api/v1", .patch, "workspaces/{workspaceID}") { request, context in
            let scope = try context.authorize("workspaces:write", multiTenant: mt)
            let id = try context.pathID("workspaceID", .workspace, kind: "workspace")
            let body = try await JSONIO.decode(UpdateWorkspaceRequest.self, from: request)
            return try JSONIO.response(try await s.workspaces.update(id, body, scope: scope))
        }
        table.add(api, prefix: "/api/v1", .delete, "workspaces/{workspaceID}") { _, context in
            let scope = try context.authorize("workspaces:write", multiTenant: mt)
            let id = try context.pathID("workspaceID", .workspace, kind: "workspace")
            try await s.workspaces.delete(id, scope: scope)
            return JSONIO.noContent()
        }
    }
}
