/// Body of `POST /admin/api/v1/profiles` and `PUT …/{id}` (only what is set is sent; on PUT an
/// empty string clears `description`, `provider_config_id` and the scripts).
public struct ProfileRequest: Sendable {
    public var name: String?
    public var description: String?
    public var providerConfigID: String?
    /// `{cpus, memory_mb, disk_mb, gpus}`.
    public var resources: JSONValue?
    /// `{level, allowed_hosts[], allowed_ports[]}`.
    public var network: JSONValue?
    public var initScript: String?
    public var cleanupScript: String?
    /// A JSON array of `{type, local_port?, …}`.
    public var tunnels: JSONValue?
    /// `{os, arch, capabilities[]}`.
    public var selector: JSONValue?
    public var labels: [(String, String)]?
    public var annotations: [(String, String)]?

    public init() {}

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "description": description.map(JSONValue.string),
            "provider_config_id": providerConfigID.map(JSONValue.string),
            "resources": resources,
            "network": network,
            "init_script": initScript.map(JSONValue.string),
            "cleanup_script": cleanupScript.map(JSONValue.string),
            "tunnels": tunnels,
            "selector": selector,
            "labels": labels.map(JSONValue.stringMap),
            "annotations": annotations.map(JSONValue.stringMap),
        ])
    }
}

/// `GET /admin/api/v1/profiles` filters.
public struct ProfileListFilter: Sendable {
    public var providerConfigID: String?
    public var includeBuiltin = false
    public var labels: [(String, String)] = []

    public init() {}

    public var queryItems: [QueryItem] {
        var items: [QueryItem] = []
        if let providerConfigID { items.append(QueryItem("provider_config_id", providerConfigID)) }
        if includeBuiltin { items.append(QueryItem("include_builtin", "true")) }
        if !labels.isEmpty { items.append(QueryItem("labels", LabelParser.joined(labels))) }
        return items
    }
}

/// Admin API: runner profiles (api.md §13.2).
extension MarionetteClient {
    static func adminProfilePath(_ id: String) -> String { "/admin/api/v1/profiles/" + pathSegment(id) }

    public func createProfile(_ request: ProfileRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/admin/api/v1/profiles", body: request.json)
    }

    public func listProfiles(_ filter: ProfileListFilter, page: PageRequest = PageRequest(), all: Bool = false) async throws -> JSONValue {
        all
            ? try await listAll("/admin/api/v1/profiles", query: filter.queryItems, page: page)
            : try await list("/admin/api/v1/profiles", query: filter.queryItems, page: page)
    }

    public func getProfile(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.adminProfilePath(id))
    }

    public func updateProfile(_ id: String, _ request: ProfileRequest) async throws -> JSONValue {
        try await sendExpectingBody(.PUT, Self.adminProfilePath(id), body: request.json)
    }

    public func deleteProfile(_ id: String) async throws {
        try await send(.DELETE, Self.adminProfilePath(id))
    }
}
