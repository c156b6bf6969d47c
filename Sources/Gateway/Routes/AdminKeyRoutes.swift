import Core
import Hummingbird
import Orchestrator

/// `/admin/api/v1/keys` (api.md §13.2). Admin lists cap `limit` at 100.
enum AdminKeyRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .post, "keys") { request, context in
            let body = try await JSONIO.decode(CreateAPIKeyRequest.self, from: request)
            let created = try await s.apiKeys.create(body, createdBy: context.adminActor)
            return try JSONIO.response(created, status: .created)
        }
        table.add(admin, prefix: prefix, .get, "keys") { request, context in
            let query = QueryParams(request)
            let labels = try adminLabels(query.first("labels"))
            let page = try query.page(defaultLimit: 50, maxLimit: 100)
            return try JSONIO.response(
                try await s.store.apiKeys(labels: labels, includeRevoked: try query.bool("include_revoked"), page: page))
        }
        table.add(admin, prefix: prefix, .get, "keys/{keyID}") { _, context in
            let id = try context.pathID("keyID", .apiKey, kind: "api key")
            return try JSONIO.response(try await s.apiKeys.get(id))
        }
        table.add(admin, prefix: prefix, .delete, "keys/{keyID}") { request, context in
            let id = try context.pathID("keyID", .apiKey, kind: "api key")
            let body = try await JSONIO.decodeOptional(RevokeRequest.self, from: request)
            try await s.apiKeys.revoke(id, reason: body?.reason)
            s.authenticator.invalidate()
            return JSONIO.noContent()
        }
    }

    /// Admin label filters are one parameter: `labels=env=prod,team=backend`.
    static func adminLabels(_ text: String?) throws(APIError) -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        var labels: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw .validation("labels must be key=value pairs separated by commas", field: "labels") }
            labels[String(kv[0])] = String(kv[1])
        }
        try Labels.validate(labels)
        return labels
    }
}
