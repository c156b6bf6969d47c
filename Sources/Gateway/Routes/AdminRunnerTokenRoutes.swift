import Core
import Hummingbird
import Orchestrator

/// `/admin/api/v1/runner-tokens` (api.md §13.2): runners started by hand join with these.
enum AdminRunnerTokenRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .post, "runner-tokens") { request, context in
            let body = try await JSONIO.decode(CreateRunnerTokenRequest.self, from: request)
            return try JSONIO.response(try await s.runnerTokens.create(body, createdBy: context.adminActor), status: .created)
        }
        table.add(admin, prefix: prefix, .get, "runner-tokens") { request, _ in
            let query = QueryParams(request)
            let statuses = (query.first("status") ?? "").split(separator: ",").map(String.init)
            for status in statuses where !["active", "rotating", "revoked", "expired"].contains(status) {
                throw APIError.validation("status must be active, rotating, revoked or expired", field: "status")
            }
            let page = try await s.store.runnerTokens(
                pool: query.first("pool_name"), statuses: statuses, includeRevoked: try query.bool("include_revoked"),
                labels: try AdminKeyRoutes.adminLabels(query.first("labels")),
                page: try query.page(defaultLimit: 50, maxLimit: 100))
            return try JSONIO.response(page)
        }
        table.add(admin, prefix: prefix, .get, "runner-tokens/{tokenID}") { _, context in
            let id = try context.pathID("tokenID", .runnerToken, kind: "runner token")
            return try JSONIO.response(try await s.runnerTokens.get(id))
        }
        table.add(admin, prefix: prefix, .delete, "runner-tokens/{tokenID}") { request, context in
            let id = try context.pathID("tokenID", .runnerToken, kind: "runner token")
            let body = try await JSONIO.decodeOptional(RevokeRequest.self, from: request)
            try await s.runnerTokens.revoke(id, reason: body?.reason)
            return JSONIO.noContent()
        }
        table.add(admin, prefix: prefix, .post, "runner-tokens/{tokenID}/rotate") { request, context in
            let id = try context.pathID("tokenID", .runnerToken, kind: "runner token")
            let body = try await JSONIO.decodeOptional(RotateRunnerTokenRequest.self, from: request)
            return try JSONIO.response(try await s.runnerTokens.rotate(id, windowSeconds: body?.rotationWindowSeconds))
        }
    }
}
