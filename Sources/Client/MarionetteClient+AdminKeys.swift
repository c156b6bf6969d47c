/// Body of `POST /admin/api/v1/keys`.
public struct CreateAPIKeyRequest: Sendable {
    public var name: String
    public var scopes: [String]
    public var tenantID: String?
    public var labels: [(String, String)]?
    public var annotations: [(String, String)]?
    /// RFC 3339 expiry.
    public var expiresAt: String?

    public init(name: String, scopes: [String]) {
        self.name = name
        self.scopes = scopes
    }

    public var json: JSONValue {
        .object([
            "name": .string(name),
            "scopes": .stringArray(scopes),
            "tenant_id": tenantID.map(JSONValue.string),
            "labels": labels.map(JSONValue.stringMap),
            "annotations": annotations.map(JSONValue.stringMap),
            "expires_at": expiresAt.map(JSONValue.string),
        ])
    }
}

/// Admin API (`/admin/api/v1`): API keys. Use a client whose base URL is the
/// admin listener and whose credential is Basic or the master key.
extension MarionetteClient {
    static func adminKeyPath(_ id: String) -> String { "/admin/api/v1/keys/" + pathSegment(id) }

    /// Returns `{"key": APIKey, "raw_token": "mk_…"}`.
    public func createAPIKey(_ request: CreateAPIKeyRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/admin/api/v1/keys", body: request.json)
    }

    /// Admin lists take labels as one comma-separated parameter.
    public func listAPIKeys(
        labels: [(String, String)] = [],
        includeRevoked: Bool = false,
        page: PageRequest = PageRequest(),
        all: Bool = false
    ) async throws -> JSONValue {
        var query: [QueryItem] = []
        if !labels.isEmpty { query.append(QueryItem("labels", LabelParser.joined(labels))) }
        if includeRevoked { query.append(QueryItem("include_revoked", "true")) }
        return all
            ? try await listAll("/admin/api/v1/keys", query: query, page: page)
            : try await list("/admin/api/v1/keys", query: query, page: page)
    }

    public func getAPIKey(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.adminKeyPath(id))
    }

    public func revokeAPIKey(_ id: String, reason: String? = nil) async throws {
        try await send(.DELETE, Self.adminKeyPath(id), body: reason.map { ["reason": .string($0)] })
    }
}
