/// Body of `POST /api/v1/sessions`; `nil` fields are not sent.
public struct CreateSessionRequest: Sendable {
    public var name: String?
    public var agent: String
    public var agentConfigID: String?
    /// BYOK agent key (`api_key`).
    public var apiKey: String?
    public var workspaceID: String?
    public var profileID: String?
    public var lifecycleMode: String?
    public var idleTimeoutSeconds: Int?
    public var maxLifetimeSeconds: Int?
    public var scheduleCron: String?
    public var scheduleTimezone: String?
    public var networkPolicy: String?
    public var allowedHosts: [String]?
    public var permissionPolicy: String?
    public var labels: [(String, String)]?
    public var annotations: [(String, String)]?

    public init(agent: String) { self.agent = agent }

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "agent": .string(agent),
            "agent_config_id": agentConfigID.map(JSONValue.string),
            "api_key": apiKey.map(JSONValue.string),
            "workspace_id": workspaceID.map(JSONValue.string),
            "profile_id": profileID.map(JSONValue.string),
            "lifecycle_mode": lifecycleMode.map(JSONValue.string),
            "idle_timeout_seconds": idleTimeoutSeconds.map(JSONValue.int),
            "max_lifetime_seconds": maxLifetimeSeconds.map(JSONValue.int),
            "schedule_cron": scheduleCron.map(JSONValue.string),
            "schedule_timezone": scheduleTimezone.map(JSONValue.string),
            "network_policy": networkPolicy.map(JSONValue.string),
            "allowed_hosts": allowedHosts.map(JSONValue.stringArray),
            "permission_policy": permissionPolicy.map(JSONValue.string),
            "labels": labels.map(JSONValue.stringMap),
            "annotations": annotations.map(JSONValue.stringMap),
        ])
    }
}

/// Body of `PATCH /api/v1/sessions/{id}`: only set fields are sent.
public struct UpdateSessionRequest: Sendable {
    public var name: String?
    public var labels: [(String, String)]?
    public var annotations: [(String, String)]?
    public var idleTimeoutSeconds: Int?
    public var maxLifetimeSeconds: Int?
    public var lifecycleMode: String?
    public var scheduleCron: String?
    public var scheduleTimezone: String?

    public init() {}

    public var isEmpty: Bool { json.objectValue?.isEmpty ?? true }

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "labels": labels.map(JSONValue.stringMap),
            "annotations": annotations.map(JSONValue.stringMap),
            "idle_timeout_seconds": idleTimeoutSeconds.map(JSONValue.int),
            "max_lifetime_seconds": maxLifetimeSeconds.map(JSONValue.int),
            "lifecycle_mode": lifecycleMode.map(JSONValue.string),
            "schedule_cron": scheduleCron.map(JSONValue.string),
            "schedule_timezone": scheduleTimezone.map(JSONValue.string),
        ])
    }
}

/// Filters of `GET /api/v1/sessions`.
public struct SessionListFilter: Sendable {
    public var statuses: [String] = []
    public var agent: String?
    public var lifecycleMode: String?
    public var labels: [(String, String)] = []

    public init() {}

    public var queryItems: [QueryItem] {
        var items = statuses.map { QueryItem("status", $0) }
        if let agent { items.append(QueryItem("agent", agent)) }
        if let lifecycleMode { items.append(QueryItem("lifecycle_mode", lifecycleMode)) }
        return items + labelQueryItems(labels)
    }
}

extension MarionetteClient {
    static func sessionPath(_ id: String) -> String { "/api/v1/sessions/" + pathSegment(id) }

    public func createSession(_ request: CreateSessionRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/api/v1/sessions", body: request.json)
    }

    public func listSessions(_ filter: SessionListFilter = SessionListFilter(), page: PageRequest = PageRequest(), all: Bool = false)
        async throws -> JSONValue
    {
        all
            ? try await listAll("/api/v1/sessions", query: filter.queryItems, page: page)
            : try await list("/api/v1/sessions", query: filter.queryItems, page: page)
    }

    public func getSession(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.sessionPath(id))
    }

    public func updateSession(_ id: String, _ request: UpdateSessionRequest) async throws -> JSONValue {
        try await sendExpectingBody(.PATCH, Self.sessionPath(id), body: request.json)
    }

    public func suspendSession(_ id: String) async throws {
        try await send(.POST, Self.sessionPath(id) + "/suspend")
    }

    /// Resumes a suspended session; `apiKey` re-supplies a BYOK key the server no longer holds.
    public func resumeSession(_ id: String, apiKey: String? = nil) async throws {
        try await send(.POST, Self.sessionPath(id) + "/resume", body: apiKey.map { ["api_key": .string($0)] })
    }

    /// Terminates a session (`DELETE`); final.
    public func terminateSession(_ id: String) async throws {
        try await send(.DELETE, Self.sessionPath(id))
    }
}
