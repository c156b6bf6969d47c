import Core

/// Request bodies (api.md §3, §4, §7, §13.2). Every field is optional at decode time so the
/// services can answer a missing one with `<field> is required` instead of a decoding error.

public struct CreateSessionRequest: Decodable, Sendable {
    public var name: String?
    public var agent: String?
    public var agentConfigID: String?
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
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(agent: String? = nil, name: String? = nil) {
        self.agent = agent
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case name, agent, agentConfigID = "agent_config_id", apiKey = "api_key", workspaceID = "workspace_id"
        case profileID = "profile_id", lifecycleMode = "lifecycle_mode", idleTimeoutSeconds = "idle_timeout_seconds"
        case maxLifetimeSeconds = "max_lifetime_seconds", scheduleCron = "schedule_cron"
        case scheduleTimezone = "schedule_timezone", networkPolicy = "network_policy"
        case allowedHosts = "allowed_hosts", permissionPolicy = "permission_policy", labels, annotations
    }
}

public struct UpdateSessionRequest: Decodable, Sendable {
    public var name: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var idleTimeoutSeconds: Int?
    public var maxLifetimeSeconds: Int?
    public var lifecycleMode: String?
    public var scheduleCron: String?
    public var scheduleTimezone: String?

    enum CodingKeys: String, CodingKey {
        case name, labels, annotations, idleTimeoutSeconds = "idle_timeout_seconds"
        case maxLifetimeSeconds = "max_lifetime_seconds", lifecycleMode = "lifecycle_mode"
        case scheduleCron = "schedule_cron", scheduleTimezone = "schedule_timezone"
    }
}

public struct ResumeSessionRequest: Decodable, Sendable {
    public var apiKey: String?
    enum CodingKeys: String, CodingKey { case apiKey = "api_key" }
}

public struct CreateTaskRequest: Decodable, Sendable {
    public var sessionID: String?
    public var prompt: String?
    public var continueFrom: String?
    public var timeoutSeconds: Int?
    public var maxRetries: Int?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(sessionID: String? = nil, prompt: String? = nil) {
        self.sessionID = sessionID
        self.prompt = prompt
    }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", prompt, continueFrom = "continue_from", timeoutSeconds = "timeout_seconds"
        case maxRetries = "max_retries", labels, annotations
    }
}

public struct RetryTaskRequest: Decodable, Sendable {
    public var force: Bool?
}

public struct CreateWorkspaceRequest: Decodable, Sendable {
    public var name: String?
    public var persist: Bool?
    public var storageType: String?
    public var mobility: String?
    public var diskQuotaMB: Int?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    enum CodingKeys: String, CodingKey {
        case name, persist, storageType = "storage_type", mobility, diskQuotaMB = "disk_quota_mb", labels, annotations
    }
}

public struct UpdateWorkspaceRequest: Decodable, Sendable {
    public var name: String?
    public var persist: Bool?
    public var diskQuotaMB: Int?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    enum CodingKeys: String, CodingKey {
        case name, persist, diskQuotaMB = "disk_quota_mb", labels, annotations
    }
}

public struct CreateAPIKeyRequest: Decodable, Sendable {
    public var name: String?
    public var scopes: [String]?
    public var tenantID: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var expiresAt: Timestamp?

    public init(name: String?, scopes: [String]?) {
        self.name = name
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case name, scopes, tenantID = "tenant_id", labels, annotations, expiresAt = "expires_at"
    }
}

public struct RevokeRequest: Decodable, Sendable {
    public var reason: String?
}

/// `{"key": APIKey, "raw_token": "mk_…"}` — the only response that ever carries the raw key.
public struct CreatedAPIKey: Encodable, Sendable {
    public var key: APIKeyRecord
    public var rawToken: String
    enum CodingKeys: String, CodingKey { case key, rawToken = "raw_token" }
}
