import Core
import Hummingbird
import Orchestrator

/// `/admin/api/v1/provider-configs` (api.md §13.2): named runner provider settings.
enum AdminProviderConfigRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .post, "provider-configs") { request, _ in
            let body = try await JSONIO.decode(ProviderConfigRequest.self, from: request)
            return try JSONIO.response(try await s.providerConfigs.create(body), status: .created)
        }
        table.add(admin, prefix: prefix, .get, "provider-configs") { request, _ in
            let query = QueryParams(request)
            return try JSONIO.response(
                try await s.store.providerConfigs(
                    provider: query.first("provider"), labels: try AdminKeyRoutes.adminLabels(query.first("labels")),
                    page: try query.page(defaultLimit: 50, maxLimit: 100)))
        }
        table.add(admin, prefix: prefix, .get, "provider-configs/{configID}") { _, context in
            let id = try context.pathID("configID", .providerConfig, kind: "provider config")
            return try JSONIO.response(try await s.providerConfigs.get(id))
        }
        table.add(admin, prefix: prefix, .put, "provider-configs/{configID}") { request, context in
            let id = try context.pathID("configID", .providerConfig, kind: "provider config")
            let body = try await JSONIO.decode(ProviderConfigRequest.self, from: request)
            return try JSONIO.response(try await s.providerConfigs.update(id, body))
        }
        table.add(admin, prefix: prefix, .delete, "provider-configs/{configID}") { _, context in
            let id = try context.pathID("configID", .providerConfig, kind: "provider config")
            try await s.providerConfigs.delete(id)
            return JSONIO.noContent()
        }
    }
}
