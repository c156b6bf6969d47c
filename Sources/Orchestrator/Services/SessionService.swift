import Core

/// Holds BYOK agent keys in memory only, keyed by session (auth-security.md §9): never stored.
public actor CredentialVault {
    private var keys: [String: String] = [:]
    public init() {}
    public func put(_ key: String, for session: String) { keys[session] = key }
    public func take(for session: String) -> String? { keys[session] }
    public func remove(for session: String) { keys[session] = nil }
}

/// Session rules: validation of create and update, and the state machine of data-model.md §4.1.
public struct SessionService: Sendable {
    public let store: Store
    public let vault: CredentialVault
    public var defaultNetworkPolicy = "none"
    public var defaultPermissionPolicy = "ask"
    /// The runtime that reaches runners; nil where no runner fabric runs (store-only tests).
    public var hooks: (any OrchestrationHooks)?

    public init(store: Store, vault: CredentialVault = CredentialVault()) {
        self.store = store
        self.vault = vault
    }

    public static let lifecycleModes = ["on_demand", "always_on", "scheduled"]
    static let networkPolicies = ["none", "allow_list", "proxy", "air_gapped"]

    public func create(_ request: CreateSessionRequest, scope: TenantScope) async throws -> SessionRecord {
        guard let agent = request.agent, !agent.isEmpty else { throw APIError.validation("Agent is required", field: "agent") }
        try Validate.agent(agent)
        if let name = request.name { try Validate.maxLength(name, 255, field: "name") }
        if request.apiKey != nil && request.agentConfigID != nil {
            throw APIError.validation("api_key and agent_config_id are mutually exclusive", field: "api_key")
        }
        if let key = request.apiKey, key.isEmpty || key.count > 4096 {
            throw APIError.validation("api_key must be 1-4096 characters", field: "api_key")
        }
        try Validate.optionalID(request.workspaceID, .workspace, field: "workspace_id")
        try Validate.optionalID(request.profileID, .profile, field: "profile_id")
        try Validate.optionalID(request.agentConfigID, .agentConfig, field: "agent_config_id")
        let lifecycle = request.lifecycleMode ?? "on_demand"
        try Validate.oneOf(lifecycle, Self.lifecycleModes, field: "lifecycle_mode")
        let idle = request.idleTimeoutSeconds ?? 1800
        guard idle == 0 || idle >= 60 else {
            throw APIError.validation("idle_timeout_seconds must be 0 (never) or at least 60", field: "idle_timeout_seconds")
        }
        if let max = request.maxLifetimeSeconds, max <= 0 {
            throw APIError.validation("max_lifetime_seconds must be positive", field: "max_lifetime_seconds")
        }
        if lifecycle == "scheduled" {
            guard let cron = request.scheduleCron, !cron.isEmpty else {
                throw APIError.validation("schedule_cron is required when lifecycle_mode is scheduled", field: "schedule_cron")
            }
            if let problem = CronExpression.problem(cron) {
                throw APIError.validation("schedule_cron: \(problem)", field: "schedule_cron")
            }
        } else if request.scheduleCron != nil {
            throw APIError.validation("schedule_cron is only allowed when lifecycle_mode is scheduled", field: "schedule_cron")
        }
        let timezone = request.scheduleTimezone ?? "UTC"
        try Validate.timezone(timezone)
        let policy = request.networkPolicy ?? defaultNetworkPolicy
        try Validate.oneOf(policy, Self.networkPolicies, field: "network_policy")
        let hosts = request.allowedHosts ?? []
        for host in hosts {
            guard !host.isEmpty, host.count <= 253, !host.contains(" "), !host.contains("/") || host.contains(".") else {
                throw APIError.validation("allowed_hosts entry \"\(host.prefix(64))\" is not a host name", field: "allowed_hosts")
            }
            if host.contains("*") && policy != "proxy" {
                throw APIError.validation(
                    "wildcard host \"\(host)\" needs network_policy proxy; packet filters cannot enforce it",
                    field: "allowed_hosts")
            }
        }
        if policy != "none" {
            // The local provider (the only one so far) cannot enforce egress rules: fail closed.
            throw APIError(
                status: 400, code: "network_policy_unsupported",
                message: "the local provider cannot enforce network_policy \"\(policy)\"; use \"none\" or a Docker/Kubernetes provider")
        }
        let permission = request.permissionPolicy ?? defaultPermissionPolicy
        try Validate.oneOf(permission, ["ask", "auto"], field: "permission_policy")
        let labels = request.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? [:]
        try Labels.validateAnnotations(annotations)

        let session = try await store.createSession(
            NewSession(
                name: request.name, agent: agent, agentConfigID: request.agentConfigID, isBYOK: request.apiKey != nil,
                workspaceID: request.workspaceID, profileID: request.profileID, lifecycleMode: lifecycle,
                idleTimeoutSeconds: idle, maxLifetimeSeconds: request.maxLifetimeSeconds,
                scheduleCron: request.scheduleCron, scheduleTimezone: timezone, networkPolicy: policy,
                allowedHosts: hosts, permissionPolicy: permission, labels: labels, annotations: annotations),
            scope: scope)
        if let key = request.apiKey { await vault.put(key, for: session.id) }
        return session
    }

    public func get(_ id: String, scope: TenantScope) async throws -> SessionRecord {
        guard let session = try await store.session(id, scope: scope) else { throw APIError.notFound("session", id) }
        return session
    }

    public func update(_ id: String, _ request: UpdateSessionRequest, scope: TenantScope) async throws -> SessionRecord {
        var changes: [(String, SQLValue)] = []
        if let name = request.name {
            try Validate.maxLength(name, 255, field: "name")
            changes.append(("name", .text(name)))
        }
        if let labels = request.labels {
            try Labels.validate(labels)
            changes.append(("labels", .labels(labels)))
        }
        if let annotations = request.annotations {
            try Labels.validateAnnotations(annotations)
            changes.append(("annotations", .labels(annotations)))
        }
        if let idle = request.idleTimeoutSeconds {
            guard idle == 0 || idle >= 60 else {
                throw APIError.validation("idle_timeout_seconds must be 0 (never) or at least 60", field: "idle_timeout_seconds")
            }
            changes.append(("idle_timeout_seconds", .int(idle)))
        }
        if let max = request.maxLifetimeSeconds {
            guard max > 0 else { throw APIError.validation("max_lifetime_seconds must be positive", field: "max_lifetime_seconds") }
            changes.append(("max_lifetime_seconds", .int(max)))
        }
        if let mode = request.lifecycleMode {
            try Validate.oneOf(mode, Self.lifecycleModes, field: "lifecycle_mode")
            changes.append(("lifecycle_mode", .text(mode)))
        }
        if let cron = request.scheduleCron {
            if let problem = CronExpression.problem(cron) {
                throw APIError.validation("schedule_cron: \(problem)", field: "schedule_cron")
            }
            changes.append(("schedule_cron", .text(cron)))
        }
        if let tz = request.scheduleTimezone {
            try Validate.timezone(tz)
            changes.append(("schedule_timezone", .text(tz)))
        }
        guard !changes.isEmpty else { return try await get(id, scope: scope) }
        return try await store.updateSession(id, changes: changes, scope: scope)
    }

    public func suspend(_ id: String, scope: TenantScope) async throws -> SessionRecord {
        let now = store.clock.now()
        let session = try await store.transitionSession(
            id, from: ["active"], to: "suspended",
            extra: [("suspend_reason", .text("user_request")), ("suspended_at", .timestamp(now)),
                    ("suspend_strategy", .text("terminate_preserve_storage"))],
            scope: scope, expectedText: "active")
        await hooks?.sessionSuspended(sessionID: id, reason: "user_request")
        return session
    }

    /// suspended → resuming. A BYOK session whose key this process no longer holds needs it again.
    public func resume(_ id: String, apiKey: String?, scope: TenantScope) async throws -> SessionRecord {
        let session = try await get(id, scope: scope)
        if session.isBYOK {
            if let key = apiKey {
                await vault.put(key, for: id)
            } else if await vault.take(for: id) == nil {
                throw APIError.conflict(
                    "credentials_required",
                    "session \(id) uses a bring-your-own API key that the server no longer holds; resume with {\"api_key\": ...}")
            }
        }
        let resumed = try await store.transitionSession(
            id, from: ["suspended"], to: "resuming", extra: [("resumed_at", .timestamp(store.clock.now()))],
            scope: scope, expectedText: "suspended")
        await hooks?.sessionResumed(sessionID: id)
        return resumed
    }

    public func terminate(_ id: String, scope: TenantScope) async throws -> SessionRecord {
        let session = try await store.transitionSession(
            id, from: ["pending", "active", "suspended", "resuming"], to: "terminated",
            extra: [("terminated_at", .timestamp(store.clock.now()))], scope: scope,
            expectedText: "pending, active, suspended or resuming")
        await vault.remove(for: id)
        await hooks?.sessionTerminated(sessionID: id)
        return session
    }
}
