/// Body of `POST /api/v1/sessions/{id}/tunnels` (api.md §9.1); `nil` fields are not sent.
public struct CreateTunnelRequest: Sendable {
    public var type: String?
    public var localPort: Int
    public var isPublic: Bool?
    public var ttlSeconds: Int?
    public var hostHeader: String?
    public var allowCIDRs: [String]?
    public var labels: [(String, String)]?

    public init(localPort: Int, type: String? = nil) {
        self.localPort = localPort
        self.type = type
    }

    public var json: JSONValue {
        .object([
            "type": type.map(JSONValue.string),
            "local_port": .int(localPort),
            "public": isPublic.map(JSONValue.bool),
            "ttl_seconds": ttlSeconds.map(JSONValue.int),
            "host_header": hostHeader.map(JSONValue.string),
            "allow_cidrs": allowCIDRs.map { .array($0.map(JSONValue.string)) },
            "labels": labels.map(JSONValue.stringMap),
        ])
    }
}

extension MarionetteClient {
    static func tunnelPath(_ id: String) -> String { "/api/v1/tunnels/" + pathSegment(id) }

    public func createTunnel(sessionID: String, _ request: CreateTunnelRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, Self.sessionPath(sessionID) + "/tunnels", body: request.json)
    }

    /// One session's tunnels, or every tunnel (`GET /tunnels`) when `sessionID` is nil.
    public func listTunnels(
        sessionID: String?, includeClosed: Bool = false, page: PageRequest = PageRequest(), all: Bool = false
    ) async throws -> JSONValue {
        let path = sessionID.map { Self.sessionPath($0) + "/tunnels" } ?? "/api/v1/tunnels"
        let query = includeClosed ? [QueryItem("include_closed", "true")] : []
        return all ? try await listAll(path, query: query, page: page) : try await list(path, query: query, page: page)
    }

    /// Admin API: tunnels of every tenant (`GET /admin/api/v1/tunnels`).
    public func listAdminTunnels(
        sessionID: String?, tenantID: String?, includeClosed: Bool = false, page: PageRequest = PageRequest(), all: Bool = false
    ) async throws -> JSONValue {
        var query: [QueryItem] = []
        if let sessionID { query.append(QueryItem("session_id", sessionID)) }
        if let tenantID { query.append(QueryItem("tenant_id", tenantID)) }
        if includeClosed { query.append(QueryItem("include_closed", "true")) }
        let path = "/admin/api/v1/tunnels"
        return all ? try await listAll(path, query: query, page: page) : try await list(path, query: query, page: page)
    }

    public func getTunnel(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.tunnelPath(id))
    }

    /// Closes a tunnel (`DELETE`); closing a closed tunnel succeeds.
    public func closeTunnel(_ id: String) async throws {
        try await send(.DELETE, Self.tunnelPath(id))
    }
}

extension MarionetteClient {
    /// `GET /tunnels/{id}/connect` without upgrading: the server makes the checks a WebSocket would
    /// meet (credential, tunnel open, runner connected) and answers 426 `upgrade_required` when
    /// all pass; any other error is thrown.
    public func checkTunnelConnect(_ id: String) async throws {
        do {
            try await send(.GET, Self.tunnelPath(id) + "/connect")
        } catch let error as APIError where error.status == 426 {
            return
        }
    }
}
