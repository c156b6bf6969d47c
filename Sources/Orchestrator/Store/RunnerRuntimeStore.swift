import Core

/// What a registering runner tells about itself (runner-protocol.md §3).
public struct RunnerRegistration: Sendable {
    public var name: String
    public var hostname: String
    public var capabilities: [String]
    public var sandboxMode: String
    public var sandboxTypes: [String]
    public var poolName: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var agentVersion: String
    public var os: String
    public var arch: String

    public init(
        name: String, hostname: String, capabilities: [String], sandboxMode: String, sandboxTypes: [String],
        poolName: String, labels: [String: String], annotations: [String: String], agentVersion: String, os: String,
        arch: String
    ) {
        self.name = name
        self.hostname = hostname
        self.capabilities = capabilities
        self.sandboxMode = sandboxMode
        self.sandboxTypes = sandboxTypes
        self.poolName = poolName
        self.labels = labels
        self.annotations = annotations
        self.agentVersion = agentVersion
        self.os = os
        self.arch = arch
    }
}

extension Store {
    /// Binds the token to a runner row (reused, found by name, or created) and updates the row.
    /// Returns the runner id and whether it was a re-registration.
    func registerRunner(token: RunnerTokenRecord, _ r: RunnerRegistration) async throws -> (String, Bool) {
        let now = now()
        return try await database.transaction(.system) { db in
            let sandboxMode = ["runner-is-sandbox", "runner-creates-sandbox", "none"].contains(r.sandboxMode)
                ? r.sandboxMode : "runner-is-sandbox"
            var runnerID: String?
            var reRegistered = false
            if let bound = token.runnerID,
                try await db.first("SELECT id FROM runners WHERE id = ?", [.text(bound)]) != nil
            {
                runnerID = bound
                reRegistered = true
            } else {
                var filter = SQLFilter()
                filter.add("name = ?", .text(r.name))
                filter.tenant(token.tenantID.map(TenantScope.tenant) ?? .single)
                runnerID = try await db.first("SELECT id FROM runners WHERE \(filter.sql)", filter.binds)?.string("id")
            }
            var labels = token.labels
            for (k, v) in r.labels { labels[k] = v }
            if let id = runnerID {
                try await db.execute(
                    """
                    UPDATE runners SET hostname = ?, sandbox_mode = ?, sandbox_types = ?, capabilities = ?, labels = ?,
                      annotations = ?, agent_version = ?, os = ?, arch = ?, pool_name = ?, updated_at = ? WHERE id = ?
                    """,
                    [.text(r.hostname), .text(sandboxMode), .textArray(r.sandboxTypes), .textArray(r.capabilities),
                     .labels(labels), .labels(r.annotations), .text(r.agentVersion), .text(r.os), .text(r.arch),
                     .text(token.poolName), .timestamp(now), .text(id)])
            } else {
                let id = newID(.runner, at: now)
                runnerID = id
                try await db.execute(
                    """
                    INSERT INTO runners (id, name, hostname, status, sandbox_mode, sandbox_types, pool_name, capabilities,
                      agent_version, os, arch, labels, annotations, tenant_id, created_at, updated_at)
                    VALUES (?, ?, ?, 'offline', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [.text(id), .text(r.name), .text(r.hostname), .text(sandboxMode), .textArray(r.sandboxTypes),
                     .text(token.poolName), .textArray(r.capabilities), .text(r.agentVersion), .text(r.os),
                     .text(r.arch), .labels(labels), .labels(r.annotations), .optional(token.tenantID),
                     .timestamp(now), .timestamp(now)])
            }
            if token.runnerID != runnerID {
                try await db.execute(
                    "UPDATE runner_tokens SET runner_id = ? WHERE id = ?", [.optional(runnerID), .text(token.id)])
            }
            return (runnerID!, reRegistered)
        }
    }

    /// Creates a runner row ahead of its process (provider-managed runners), claimed for a session.
    func createManagedRunner(name: String, pool: String, tenantID: String?, claimSession: String, sandboxMode: String)
        async throws -> String
    {
        let now = now()
        let id = newID(.runner, at: now)
        try await database.transaction(.system) { db in
            try await db.execute(
                """
                INSERT INTO runners (id, name, hostname, status, sandbox_mode, pool_name, tenant_id, claim_session_id,
                  claimed_at, created_at, updated_at)
                VALUES (?, ?, 'localhost', 'offline', ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(id), .text(name), .text(sandboxMode), .text(pool), .optional(tenantID), .text(claimSession),
                 .timestamp(now), .timestamp(now), .timestamp(now)])
        }
        return id
    }

    func setRunnerInstance(_ runnerID: String, providerInstanceID: String?) async throws {
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE runners SET provider_instance_id = ?, updated_at = ? WHERE id = ?",
                [.optional(providerInstanceID), .timestamp(now()), .text(runnerID)])
        }
    }

    func runnerRow(_ id: String) async throws -> SQLRow? {
        try await database.read(.system) { db in try await db.first("SELECT * FROM runners WHERE id = ?", [.text(id)]) }
    }

    func markRunnerConnected(_ id: String) async throws {
        let now = now()
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE runners SET status = CASE WHEN status = 'busy' THEN 'busy' ELSE 'idle' END, last_seen_at = ?, "
                    + "connected_at = ?, updated_at = ? WHERE id = ?",
                [.timestamp(now), .timestamp(now), .timestamp(now), .text(id)])
        }
        await emitRunner("runner.connected", runnerID: id)
    }

    func touchRunner(_ id: String, status: String?) async throws {
        let now = now()
        try await database.autocommit(.system) { db in
            if let status, ["idle", "busy", "paused"].contains(status) {
                try await db.execute(
                    "UPDATE runners SET last_seen_at = ?, status = ? WHERE id = ? AND status <> 'offline'",
                    [.timestamp(now), .text(status), .text(id)])
            } else {
                try await db.execute("UPDATE runners SET last_seen_at = ? WHERE id = ?", [.timestamp(now), .text(id)])
            }
        }
    }

    func setRunnerStatus(_ id: String, _ status: String, clearClaim: Bool = false) async throws {
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE runners SET status = ?, updated_at = ?"
                    + (clearClaim ? ", claim_session_id = NULL, claimed_at = NULL" : "") + " WHERE id = ?",
                [.text(status), .timestamp(now()), .text(id)])
        }
    }
}
