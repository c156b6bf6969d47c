import Core

/// Store records. Each encodes to its API schema (api.md §12): snake_case names, optional
/// scalars omitted when unset, internal columns (tenant, snapshots, hashes) never encoded.

public struct SessionRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String?
    public var status: String
    public var agent: String
    public var agentVersion: String?
    public var agentConfigID: String?
    public var isBYOK: Bool
    public var permissionPolicy: String
    public var runnerID: String?
    public var previousRunnerID: String?
    public var workspaceID: String
    public var profileID: String?
    public var networkPolicy: String
    public var allowedHosts: [String]
    public var lifecycleMode: String
    public var idleTimeoutSeconds: Int?
    public var maxLifetimeSeconds: Int?
    public var suspendStrategy: String?
    public var suspendReason: String?
    public var scheduleCron: String?
    public var scheduleTimezone: String?
    public var nextScheduledAt: Timestamp?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var lastActivityAt: Timestamp?
    public var suspendedAt: Timestamp?
    public var resumedAt: Timestamp?
    public var terminatedAt: Timestamp?
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, status, agent
        case agentVersion = "agent_version", agentConfigID = "agent_config_id", isBYOK = "is_byok"
        case permissionPolicy = "permission_policy", runnerID = "runner_id"
        case previousRunnerID = "previous_runner_id", workspaceID = "workspace_id", profileID = "profile_id"
        case networkPolicy = "network_policy", allowedHosts = "allowed_hosts", lifecycleMode = "lifecycle_mode"
        case idleTimeoutSeconds = "idle_timeout_seconds", maxLifetimeSeconds = "max_lifetime_seconds"
        case suspendStrategy = "suspend_strategy", suspendReason = "suspend_reason"
        case scheduleCron = "schedule_cron", scheduleTimezone = "schedule_timezone"
        case nextScheduledAt = "next_scheduled_at", labels, annotations
        case lastActivityAt = "last_activity_at", suspendedAt = "suspended_at", resumedAt = "resumed_at"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = row.string("name")
        status = try row.requiredString("status")
        agent = try row.requiredString("agent")
        agentVersion = row.string("agent_version")
        agentConfigID = row.string("agent_config_id")
        isBYOK = row.bool("is_byok")
        permissionPolicy = row.string("permission_policy") ?? "ask"
        runnerID = row.string("runner_id")
        previousRunnerID = row.string("previous_runner_id")
        workspaceID = try row.requiredString("workspace_id")
        profileID = row.string("profile_id")
        networkPolicy = row.string("network_policy") ?? "none"
        allowedHosts = row.stringArray("allowed_hosts")
        lifecycleMode = row.string("lifecycle_mode") ?? "on_demand"
        idleTimeoutSeconds = row.int("idle_timeout_seconds")
        maxLifetimeSeconds = row.int("max_lifetime_seconds")
        suspendStrategy = row.string("suspend_strategy")
        suspendReason = row.string("suspend_reason")
        scheduleCron = row.string("schedule_cron")
        scheduleTimezone = row.string("schedule_timezone")
        nextScheduledAt = row.timestamp("next_scheduled_at")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        lastActivityAt = row.timestamp("last_activity_at")
        suspendedAt = row.timestamp("suspended_at")
        resumedAt = row.timestamp("resumed_at")
        terminatedAt = row.timestamp("terminated_at")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}

public struct TaskRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var sessionID: String
    public var prompt: String
    public var status: String
    public var continueFrom: String?
    public var scheduledTaskID: String?
    public var maxRetries: Int
    public var retryCount: Int
    public var timeoutSeconds: Int
    public var dispatchParkedReason: String?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, sessionID = "session_id", prompt, status, continueFrom = "continue_from"
        case maxRetries = "max_retries", retryCount = "retry_count", timeoutSeconds = "timeout_seconds"
        case dispatchParkedReason = "dispatch_parked_reason", labels, annotations
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        sessionID = try row.requiredString("session_id")
        prompt = try row.requiredString("prompt")
        status = try row.requiredString("status")
        continueFrom = row.string("continue_from")
        scheduledTaskID = row.string("scheduled_task_id")
        maxRetries = row.int("max_retries") ?? 0
        retryCount = row.int("retry_count") ?? 0
        timeoutSeconds = row.int("timeout_seconds") ?? 3600
        dispatchParkedReason = row.string("dispatch_parked_reason")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}

public struct TaskRunRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var taskID: String
    public var attempt: Int
    public var runnerID: String?
    public var status: String
    public var error: String?
    public var exitCode: Int?
    public var tokensInput: Int64?
    public var tokensOutput: Int64?
    public var costUSD: Double?
    public var lastLogSequence: Int64?
    public var storedLogSequence: Int64
    public var queuedAt: Timestamp
    public var assignedAt: Timestamp?
    public var startedAt: Timestamp?
    public var endedAt: Timestamp?
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, taskID = "task_id", attempt, runnerID = "runner_id", status, error, exitCode = "exit_code"
        case tokensInput = "tokens_input", tokensOutput = "tokens_output", costUSD = "cost_usd"
        case queuedAt = "queued_at", assignedAt = "assigned_at", startedAt = "started_at", endedAt = "ended_at"
        case updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        taskID = try row.requiredString("task_id")
        attempt = row.int("attempt") ?? 1
        runnerID = row.string("runner_id")
        status = try row.requiredString("status")
        error = row.string("error")
        exitCode = row.int("exit_code")
        tokensInput = row.int64("tokens_input")
        tokensOutput = row.int64("tokens_output")
        costUSD = row.double("cost_usd")
        lastLogSequence = row.int64("last_log_sequence")
        storedLogSequence = row.int64("stored_log_sequence") ?? 0
        queuedAt = try row.requiredTimestamp("queued_at")
        assignedAt = row.timestamp("assigned_at")
        startedAt = row.timestamp("started_at")
        endedAt = row.timestamp("ended_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}

public struct RunnerRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var hostname: String
    public var status: String
    public var tainted: Bool
    public var taintReason: String?
    public var sandboxMode: String
    public var sandboxTypes: [String]
    public var poolName: String?
    public var profileID: String?
    public var capabilities: [String]
    public var agentVersion: String?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var lastSeenAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, hostname, status, tainted, taintReason = "taint_reason", sandboxMode = "sandbox_mode"
        case sandboxTypes = "sandbox_types", poolName = "pool_name", profileID = "profile_id", capabilities
        case agentVersion = "agent_version", labels, annotations, lastSeenAt = "last_seen_at"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = try row.requiredString("name")
        hostname = try row.requiredString("hostname")
        status = try row.requiredString("status")
        tainted = row.bool("tainted")
        taintReason = row.string("taint_reason")
        sandboxMode = row.string("sandbox_mode") ?? "runner-is-sandbox"
        sandboxTypes = row.stringArray("sandbox_types")
        poolName = row.string("pool_name")
        profileID = row.string("profile_id")
        capabilities = row.stringArray("capabilities")
        agentVersion = row.string("agent_version")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        lastSeenAt = row.timestamp("last_seen_at")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}

public struct WorkspaceRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var persist: Bool
    public var storageType: String
    public var mobility: String
    public var storageSizeBytes: Int64?
    public var diskQuotaMB: Int?
    public var lastSyncedAt: Timestamp?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var expiresAt: Timestamp?
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var deletedAt: Timestamp?

    enum CodingKeys: String, CodingKey {
        case id, name, persist, storageType = "storage_type", mobility, storageSizeBytes = "storage_size_bytes"
        case diskQuotaMB = "disk_quota_mb", lastSyncedAt = "last_synced_at", labels, annotations
        case expiresAt = "expires_at", createdAt = "created_at", updatedAt = "updated_at"
        case deletedAt = "deleted_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = try row.requiredString("name")
        persist = row.bool("persist")
        storageType = row.string("storage_type") ?? "volume"
        mobility = row.string("mobility") ?? "local"
        storageSizeBytes = row.int64("storage_size_bytes")
        diskQuotaMB = row.int("disk_quota_mb")
        lastSyncedAt = row.timestamp("last_synced_at")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        expiresAt = row.timestamp("expires_at")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
        deletedAt = row.timestamp("deleted_at")
    }
}

public struct APIKeyRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var keyPrefix: String
    public var scopes: [String]
    public var tenantID: String?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var createdAt: Timestamp
    public var createdBy: String?
    public var lastUsedAt: Timestamp?
    public var expiresAt: Timestamp?
    public var revokedAt: Timestamp?
    public var revokeReason: String?

    enum CodingKeys: String, CodingKey {
        case id, name, keyPrefix = "key_prefix", scopes, tenantID = "tenant_id", labels, annotations
        case createdAt = "created_at", createdBy = "created_by", lastUsedAt = "last_used_at"
        case expiresAt = "expires_at", revokedAt = "revoked_at", revokeReason = "revoke_reason"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = try row.requiredString("name")
        keyPrefix = try row.requiredString("key_prefix")
        scopes = row.stringArray("scopes")
        tenantID = row.string("tenant_id")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        createdAt = try row.requiredTimestamp("created_at")
        createdBy = row.string("created_by")
        lastUsedAt = row.timestamp("last_used_at")
        expiresAt = row.timestamp("expires_at")
        revokedAt = row.timestamp("revoked_at")
        revokeReason = row.string("revoke_reason")
    }
}

public struct LogRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var sessionID: String
    public var taskID: String
    public var runID: String
    public var runnerID: String
    public var stream: String
    public var level: String
    public var content: String
    public var sequence: Int64
    public var timestamp: Timestamp?
    public var metadata: [String: String]
    public var createdAt: Timestamp
    public var attempt: Int?

    enum CodingKeys: String, CodingKey {
        case id, sessionID = "session_id", taskID = "task_id", runID = "run_id", runnerID = "runner_id"
        case stream, level, content, sequence, timestamp, metadata, createdAt = "created_at", attempt
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        sessionID = try row.requiredString("session_id")
        taskID = try row.requiredString("task_id")
        runID = try row.requiredString("run_id")
        runnerID = try row.requiredString("runner_id")
        stream = row.string("stream") ?? "stdout"
        level = row.string("level") ?? "info"
        content = row.string("content") ?? ""
        sequence = row.int64("sequence") ?? 0
        timestamp = row.timestamp("emitted_at")
        metadata = row.stringMap("metadata")
        createdAt = try row.requiredTimestamp("created_at")
        attempt = row.int("attempt")
    }
}
