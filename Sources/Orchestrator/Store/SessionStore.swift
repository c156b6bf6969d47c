import Core

public struct SessionFilter: Sendable {
    public var statuses: [String] = []
    public var agent: String?
    public var lifecycleMode: String?
    public var labels: [String: String] = [:]
    public init() {}
}

/// Values of a new session, already validated and resolved by `SessionService`.
struct NewSession: Sendable {
    var name: String?
    var agent: String
    var agentConfigID: String?
    var isBYOK: Bool
    var workspaceID: String?
    var profileID: String?
    var lifecycleMode: String
    var idleTimeoutSeconds: Int
    var maxLifetimeSeconds: Int?
    var scheduleCron: String?
    var scheduleTimezone: String
    var networkPolicy: String
    var allowedHosts: [String]
    var permissionPolicy: String
    var labels: [String: String]
    var annotations: [String: String]
}

extension Store {
    /// Creates the session and, when none is named, its workspace, in one transaction.
    func createSession(_ new: NewSession, scope: TenantScope) async throws -> SessionRecord {
        let now = now()
        let sessionID = newID(.session, at: now)
        let tenant = SQLValue.optional(scope.tenantID)
        let session = try await database.transaction(scope) { db -> SessionRecord in
            var workspaceID = new.workspaceID
            if let existing = workspaceID {
                var filter = SQLFilter()
                filter.add("id = ?", .text(existing))
                filter.tenant(scope)
                guard let row = try await db.first("SELECT deleted_at FROM workspaces WHERE \(filter.sql)", filter.binds)
                else { throw APIError.validation("workspace \"\(existing)\" not found", field: "workspace_id") }
                if row.timestamp("deleted_at") != nil {
                    throw APIError.validation("workspace \"\(existing)\" is deleted", field: "workspace_id")
                }
            } else {
                let wsID = newID(.workspace, at: now)
                workspaceID = wsID
                try await db.execute(
                    "INSERT INTO workspaces (id, name, persist, storage_type, mobility, tenant_id, created_at, updated_at) "
                        + "VALUES (?, ?, ?, 'volume', 'local', ?, ?, ?)",
                    [.text(wsID), .text(new.name.map { "\($0)-\(wsID.suffix(8))" } ?? "workspace-\(wsID)"),
                     .bool(true), tenant, .timestamp(now), .timestamp(now)])
            }
            if let profile = new.profileID {
                var filter = SQLFilter()
                filter.add("id = ?", .text(profile))
                switch scope {
                case .system: break
                case .single: filter.add("(tenant_id IS NULL OR is_builtin = ?)", .bool(true))
                case .tenant(let t): filter.add("(tenant_id = ? OR is_builtin = ?)", .text(t), .bool(true))
                }
                guard try await db.first("SELECT id FROM profiles WHERE \(filter.sql)", filter.binds) != nil else {
                    throw APIError.validation("profile \"\(profile)\" not found", field: "profile_id")
                }
            }
            // A session naming neither a key nor a config uses its agent's default config, if any.
            var agentConfigID = new.agentConfigID
            if agentConfigID == nil && !new.isBYOK {
                var filter = SQLFilter()
                filter.add("agent = ?", .text(new.agent))
                filter.add("is_default = ?", .bool(true))
                filter.tenant(scope)
                agentConfigID = try await db.first("SELECT id FROM agent_configs WHERE \(filter.sql)", filter.binds)?.string("id")
            }
            if let config = new.agentConfigID {
                var filter = SQLFilter()
                filter.add("id = ?", .text(config))
                filter.tenant(scope)
                guard let row = try await db.first("SELECT agent FROM agent_configs WHERE \(filter.sql)", filter.binds)
                else { throw APIError.validation("agent config \"\(config)\" not found", field: "agent_config_id") }
                guard row.string("agent") == new.agent else {
                    throw APIError.validation(
                        "agent config \"\(config)\" is for agent \"\(row.string("agent") ?? "")\", not \"\(new.agent)\"",
                        field: "agent_config_id")
                }
            }
            let rows = try await db.query(
                """
                INSERT INTO sessions (id, name, status, workspace_id, profile_id, agent, is_byok, permission_policy,
                  agent_config_id, network_policy, allowed_hosts, lifecycle_mode, idle_timeout_seconds,
                  max_lifetime_seconds, schedule_cron, schedule_timezone, labels, annotations, tenant_id,
                  created_at, updated_at)
                VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [
                    .text(sessionID), .optional(new.name), .text(workspaceID!), .optional(new.profileID),
                    .text(new.agent), .bool(new.isBYOK), .text(new.permissionPolicy), .optional(agentConfigID),
                    .text(new.networkPolicy), .textArray(new.allowedHosts), .text(new.lifecycleMode),
                    .int(new.idleTimeoutSeconds), .optional(new.maxLifetimeSeconds), .optional(new.scheduleCron),
                    .text(new.scheduleTimezone), .labels(new.labels), .labels(new.annotations), tenant,
                    .timestamp(now), .timestamp(now),
                ])
            return try SessionRecord(row: rows[0])
        }
        emit("session.created", session: session)
        return session
    }

    /// In a write transaction: the session's `status, runner_id, tenant_id` row, locked on
    /// PostgreSQL, when it may get new streams or tunnels (pending or active); else the error.
    static func lockSessionTakingResources(
        _ sessionID: String, scope: TenantScope, dialect: SQLDialect, in db: any SQLExecutor
    ) async throws -> SQLRow {
        var filter = SQLFilter()
        filter.add("id = ?", .text(sessionID))
        filter.tenant(scope)
        let lock = dialect == .postgres ? " FOR UPDATE" : ""
        guard let session = try await db.first(
            "SELECT status, runner_id, tenant_id FROM sessions WHERE \(filter.sql)\(lock)", filter.binds)
        else { throw APIError.notFound("session", sessionID) }
        let status = session.string("status") ?? "?"
        guard status == "pending" || status == "active" else {
            throw APIError.invalidState(
                "session \(sessionID) is in state \"\(status)\", expected pending or active; resume it first")
        }
        return session
    }

    public func session(_ id: String, scope: TenantScope) async throws -> SessionRecord? {
        try await database.read(scope) { db in try await Self.session(id, scope: scope, in: db) }
    }

    static func session(_ id: String, scope: TenantScope, in db: any SQLExecutor) async throws -> SessionRecord? {
        var filter = SQLFilter()
        filter.add("id = ?", .text(id))
        filter.tenant(scope)
        return try await db.first("SELECT * FROM sessions WHERE \(filter.sql)", filter.binds).map(SessionRecord.init)
    }

    public func sessions(_ criteria: SessionFilter, page: PageRequest, scope: TenantScope) async throws
        -> Page<SessionRecord>
    {
        var filter = SQLFilter()
        filter.tenant(scope)
        filter.anyOf("status", criteria.statuses)
        if let agent = criteria.agent { filter.add("agent = ?", .text(agent)) }
        if let mode = criteria.lifecycleMode { filter.add("lifecycle_mode = ?", .text(mode)) }
        filter.labels(criteria.labels, dialect: dialect)
        return try await database.read(scope) { [filter] db in
            try await keysetPage(
                db, table: "sessions", filter: filter, request: page, decode: SessionRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Applies `changes` (column → value) to a session that is not terminated.
    func updateSession(_ id: String, changes: [(String, SQLValue)], scope: TenantScope) async throws -> SessionRecord {
        let now = now()
        return try await database.transaction(scope) { db in
            guard let current = try await Self.session(id, scope: scope, in: db) else {
                throw APIError.notFound("session", id)
            }
            guard current.status != "terminated" else {
                throw APIError.invalidState("session \(id) is terminated and cannot be changed")
            }
            let mode = changes.first { $0.0 == "lifecycle_mode" }.map { $0.1 } ?? .text(current.lifecycleMode)
            let cron = changes.first { $0.0 == "schedule_cron" }.map { $0.1 } ?? .optional(current.scheduleCron)
            if mode == .text("scheduled") && cron == .null {
                throw APIError.validation(
                    "schedule_cron is required when lifecycle_mode is scheduled", field: "schedule_cron")
            }
            let sets = changes.map { "\($0.0) = ?" } + ["updated_at = ?"]
            let rows = try await db.query(
                "UPDATE sessions SET \(sets.joined(separator: ", ")) WHERE id = ? RETURNING *",
                changes.map(\.1) + [.timestamp(now), .text(id)])
            return try SessionRecord(row: rows[0])
        }
    }

    /// Compare-and-set state change: `from` must hold the current status (data-model.md §4.1).
    func transitionSession(
        _ id: String, from allowed: Set<String>, to status: String, extra: [(String, SQLValue)] = [],
        scope: TenantScope, expectedText: String
    ) async throws -> SessionRecord {
        let now = now()
        let (before, session, cascade) = try await database.transaction(scope) { db -> (String, SessionRecord, Cascade) in
            guard let current = try await Self.session(id, scope: scope, in: db) else {
                throw APIError.notFound("session", id)
            }
            guard allowed.contains(current.status) else {
                throw APIError.invalidState(
                    "session \(id) is in state \"\(current.status)\", expected \(expectedText)")
            }
            let sets = (extra.map { "\($0.0) = ?" } + ["status = ?", "updated_at = ?"]).joined(separator: ", ")
            let rows = try await db.query(
                "UPDATE sessions SET \(sets) WHERE id = ? AND status = ? RETURNING *",
                extra.map(\.1) + [.text(status), .timestamp(now), .text(id), .text(current.status)])
            guard let row = rows.first else {
                throw APIError.invalidState("session \(id) changed state concurrently; retry the request")
            }
            var cascade = Cascade()
            if status == "suspended" || status == "terminated" {
                cascade = try await Self.endSessionResources(
                    ofSession: id, tunnelReason: status == "suspended" ? "session_suspended" : "session_terminated",
                    terminate: status == "terminated", now: now, in: db)
            }
            return (current.status, try SessionRecord(row: row), cascade)
        }
        switch session.status {
        case "suspended": emit("session.suspended", session: session)
        case "terminated": emit("session.terminated", session: session)
        default: if before == "suspended" { emit("session.resumed", session: session) }
        }
        await emit(cascade)
        return session
    }
}
