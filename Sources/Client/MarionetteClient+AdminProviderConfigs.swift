/// Body of `POST /admin/api/v1/provider-configs` and `PUT …/{id}` (only what is set is sent).
public struct ProviderConfigRequest: Sendable {
    public var name: String?
    public var provider: String?
    /// Provider settings: a JSON object.
    public var config: JSONValue?
    /// `{strategy, min_duration, max_duration, fallback, save_snapshot, sync_workspace}`.
    public var suspendConfig: JSONValue?
    public var isDefault: Bool?
    public var labels: [(String, String)]?

    public init() {}

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "provider": provider.map(JSONValue.string),
            "config": config,
            "suspend_config": suspendConfig,
            "is_default": isDefault.map(JSONValue.bool),
            "labels": labels.map(JSONValue.stringMap),
        ])
    }
}

/// Runner provider types a provider config names (data-model.md §3.1).
public enum ProviderType {
    public static let all = ["local", "docker", "kubernetes", "e2b", "pool"]
}

/// Admin API: provider configs (api.md §13.2).
extension MarionetteClient {
    static func adminProviderConfigPath(_ id: String) -> String { "/admin/api/v1/provider-configs/" + pathSegment(id) }

    public func createProviderConfig(_ request: ProviderConfigRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/admin/api/v1/provider-configs", body: request.json)
    }

    public func listProviderConfigs(provider: String?, page: PageRequest = PageRequest(), all: Bool = false) async throws -> JSONValue {
        let query = provider.map { [QueryItem("provider", $0)] } ?? []
        return all
            ? try await listAll("/admin/api/v1/provider-configs", query: query, page: page)
            : try await list("/admin/api/v1/provider-configs", query: query, page: page)
    }

    public func getProviderConfig(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.adminProviderConfigPath(id))
    }

    public func updateProviderConfig(_ id: String, _ request: ProviderConfigRequest) async throws -> JSONValue {
        try await sendExpectingBody(.PUT, Self.adminProviderConfigPath(id), body: request.json)
    }

    public func deleteProviderConfig(_ id: String) async throws {
        try await send(.DELETE, Self.adminProviderConfigPath(id))
    }
}
