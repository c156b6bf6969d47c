import Core
import Hummingbird
import Orchestrator

/// Tunnel management (api.md §9.1). The entry points that carry traffic are not routes: the
/// ingress handler in front of the HTTP pipeline takes those connections (`TunnelIngressChannel`).
enum TunnelRoutes {
    static func register(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(api, prefix: "/api/v1", .post, "sessions/{sessionID}/tunnels") { request, context in
            let scope = try context.authorize("tunnels:write", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            let body = try await JSONIO.decode(CreateTunnelRequest.self, from: request)
            let tunnel = try await s.tunnels.create(body, sessionID: id, scope: scope)
            do {
                try await s.tunnelRuntime.listen(for: tunnel.record)
            } catch {
                _ = try? await s.tunnels.close(tunnel.record.id, scope: scope)
                throw error
            }
            return try JSONIO.response(tunnel, status: .created)
        }
        table.add(api, prefix: "/api/v1", .get, "sessions/{sessionID}/tunnels") { request, context in
            let scope = try context.authorize("tunnels:read", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            let query = QueryParams(request)
            var filter = TunnelFilter()
            filter.sessionID = id
            filter.includeClosed = try query.bool("include_closed")
            return try JSONIO.response(try await s.tunnels.list(filter, page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "tunnels") { request, context in
            let scope = try context.authorize("tunnels:read", multiTenant: mt)
            let query = QueryParams(request)
            var filter = TunnelFilter()
            if let session = query.first("session_id") {
                guard ID.isValid(session, prefix: .session) else { throw APIError.notFound("session", session) }
                filter.sessionID = session
            }
            filter.types = try query.enums("type", TunnelService.types)
            filter.includeClosed = try query.bool("include_closed")
            return try JSONIO.response(try await s.tunnels.list(filter, page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "tunnels/{tunnelID}") { _, context in
            let scope = try context.authorize("tunnels:read", multiTenant: mt)
            let id = try context.pathID("tunnelID", .tunnel, kind: "tunnel")
            return try JSONIO.response(try await s.tunnels.get(id, scope: scope))
        }
        table.add(api, prefix: "/api/v1", .delete, "tunnels/{tunnelID}") { _, context in
            let scope = try context.authorize("tunnels:write", multiTenant: mt)
            let id = try context.pathID("tunnelID", .tunnel, kind: "tunnel")
            let closed = try await s.tunnels.close(id, scope: scope)
            await s.tunnelRuntime.tunnelClosed(id: id, reason: closed.record.closeReason ?? "closed")
            return JSONIO.noContent()
        }
    }
}
