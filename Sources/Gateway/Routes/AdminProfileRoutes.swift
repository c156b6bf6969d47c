import Core
import Hummingbird
import Orchestrator

/// `/admin/api/v1/profiles` (api.md §13.2): runner profiles; the built-ins
/// (`prof_builtin_<name>`) are listed with `include_builtin=true` and are read-only (409).
enum AdminProfileRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .post, "profiles") { request, _ in
            let body = try await JSONIO.decode(ProfileRequest.self, from: request)
            return try JSONIO.response(try await s.profiles.create(body), status: .created)
        }
        table.add(admin, prefix: prefix, .get, "profiles") { request, _ in
            let query = QueryParams(request)
            let providerConfigID = query.first("provider_config_id").flatMap { $0.isEmpty ? nil : $0 }
            return try JSONIO.response(
                try await s.store.profiles(
                    providerConfigID: providerConfigID, includeBuiltin: try query.bool("include_builtin"),
                    labels: try AdminKeyRoutes.adminLabels(query.first("labels")),
                    page: try query.page(defaultLimit: 50, maxLimit: 100)))
        }
        table.add(admin, prefix: prefix, .get, "profiles/{profileID}") { _, context in
            return try JSONIO.response(try await s.profiles.get(try profileID(context)))
        }
        table.add(admin, prefix: prefix, .put, "profiles/{profileID}") { request, context in
            let id = try profileID(context)
            let body = try await JSONIO.decode(ProfileRequest.self, from: request)
            return try JSONIO.response(try await s.profiles.update(id, body))
        }
        table.add(admin, prefix: prefix, .delete, "profiles/{profileID}") { _, context in
            try await s.profiles.delete(try profileID(context))
            return JSONIO.noContent()
        }
    }

    /// A generated `prof_` id or a built-in's `prof_builtin_<name>`.
    static func profileID(_ context: APIContext) throws(APIError) -> String {
        if let id = context.parameters.get("profileID"), id.hasPrefix("prof_builtin_"), id.utf8.count <= 64,
            id.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 })
        {
            return id
        }
        return try context.pathID("profileID", .profile, kind: "profile")
    }
}
