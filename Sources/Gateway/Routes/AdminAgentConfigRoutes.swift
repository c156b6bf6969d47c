import Core
import Hummingbird
import Orchestrator

/// `/admin/api/v1/agent-configs` (api.md §13.2): managed agent credentials. The key is accepted
/// on create and update and never returned.
enum AdminAgentConfigRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .post, "agent-configs") { request, _ in
            let body = try await JSONIO.decode(AgentConfigRequest.self, from: request)
            return try JSONIO.response(try await s.agentConfigs.create(body), status: .created)
        }
        table.add(admin, prefix: prefix, .get, "agent-configs") { request, _ in
            let query = QueryParams(request)
            return try JSONIO.response(
                try await s.store.agentConfigs(
                    agent: query.first("agent"), labels: try AdminKeyRoutes.adminLabels(query.first("labels")),
                    page: try query.page(defaultLimit: 50, maxLimit: 100)))
        }
        table.add(admin, prefix: prefix, .get, "agent-configs/{configID}") { _, context in
            let id = try context.pathID("configID", .agentConfig, kind: "agent config")
            return try JSONIO.response(try await s.agentConfigs.get(id))
        }
        table.add(admin, prefix: prefix, .put, "agent-configs/{configID}") { request, context in
            let id = try context.pathID("configID", .agentConfig, kind: "agent config")
            let body = try await JSONIO.decode(AgentConfigRequest.self, from: request)
            return try JSONIO.response(try await s.agentConfigs.update(id, body))
        }
        table.add(admin, prefix: prefix, .delete, "agent-configs/{configID}") { _, context in
            let id = try context.pathID("configID", .agentConfig, kind: "agent config")
            try await s.agentConfigs.delete(id)
            return JSONIO.noContent()
        }
    }
}
