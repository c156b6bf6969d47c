import Core

public struct PermissionFilter: Sendable {
    public var sessionID: String?
    public var taskID: String?
    public var statuses: [String] = []
    public var riskLevels: [String] = []
    public init() {}
}

/// A `PermissionRequest` from a runner, validated by the hub.
struct NewPermission: Sendable {
    var requestID: String
    var runID: String
    var tool: String
    var action: String
    var context: String?
    var riskLevel: String
    var suspendAfterSeconds: Int
}

extension Store {
    /// Records a runner's question (idempotent on `(run_id, original_request_id)`: a resend after
    /// a reconnect returns the existing row). The run must be open on `runnerID`; nil otherwise.
    func recordPermission(_ new: NewPermission, runnerID: String) async throws -> (record: PermissionRecord, inserted: Bool)? {
        let now = now()
        let result = try await database.transaction(.system) { db -> (record: PermissionRecord, inserted: Bool, superseded: [PermissionRecord])? in
            if let existing = try await db.first(
                "SELECT * FROM permission_requests WHERE run_id = ? AND original_request_id = ?",
                [.text(new.runID), .text(new.requestID)]
            ).map(PermissionRecord.init) {
                return (existing, false, [])
            }
            guard let run = try await db.first(
                """
                SELECT r.task_id, t.session_id, r.tenant_id FROM task_runs r JOIN tasks t ON t.id = r.task_id
                WHERE r.id = ? AND r.runner_id = ? AND r.status IN ('assigned','running')
                """,
                [.text(new.runID), .text(runnerID)]),
                let taskID = run.string("task_id"), let sessionID = run.string("session_id")
            else { return nil }
            let rows = try await db.query(
                """
                INSERT INTO permission_requests (id, original_request_id, session_id, task_id, run_id, tool, action,
                  context, risk_level, status, suspend_after_seconds, tenant_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING *
                """,
                [
                    .text(newID(.permission, at: now)), .text(new.requestID), .text(sessionID), .text(taskID),
                    .text(new.runID), .text(new.tool), .text(new.action), .optional(new.context),
                    .text(new.riskLevel), .int(new.suspendAfterSeconds), .optional(run.string("tenant_id")),
                    .timestamp(now), .timestamp(now),
                ])
            // The same question of an earlier, interrupted run of this task (asked again by the
            // re-run) is superseded: only the new one reaches the waiting agent.
            let superseded = try await db.query(
                "UPDATE permission_requests SET status = 'canceled', updated_at = ? "
                    + "WHERE task_id = ? AND tool = ? AND action = ? AND status = 'pending' AND run_id <> ? RETURNING *",
                [.timestamp(now), .text(taskID), .text(new.tool), .text(new.action), .text(new.runID)]
            ).map(PermissionRecord.init)
            return (try PermissionRecord(row: rows[0]), true, superseded)
        }
        guard let result else { return nil }
        for old in result.superseded { await emit("permission.canceled", permission: old) }
        if result.inserted { await emit("permission.requested", permission: result.record) }
        return (result.record, result.inserted)
    }

    /// The agent withdrew its question (`PermissionWithdrawn`): pending → canceled, with the
    /// reason, when the run is `runnerID`'s; nil when there was nothing pending to cancel.
    func withdrawPermission(requestID: String, runID: String, runnerID: String, reason: String) async throws
        -> PermissionRecord?
    {
        let now = now()
        let canceled = try await database.transaction(.system) { db in
            try await db.first(
                """
                UPDATE permission_requests SET status = 'canceled', response_reason = ?, updated_at = ?
                WHERE run_id = ? AND original_request_id = ? AND status = 'pending'
                  AND run_id IN (SELECT id FROM task_runs WHERE runner_id = ?) RETURNING *
                """,
                [.text(reason), .timestamp(now), .text(runID), .text(requestID), .text(runnerID)]
            ).map(PermissionRecord.init)
        }
        if let canceled { await emit("permission.canceled", permission: canceled) }
        return canceled
    }

    public func permission(_ id: String, scope: TenantScope) async throws -> PermissionRecord? {
        try await database.read(scope) { db in
            var filter = SQLFilter()
            filter.add("id = ?", .text(id))
            filter.tenant(scope)
            return try await db.first("SELECT * FROM permission_requests WHERE \(filter.sql)", filter.binds)
                .map(PermissionRecord.init)
        }
    }

    /// Newest first.
    public func permissions(_ criteria: PermissionFilter, page: PageRequest, scope: TenantScope) async throws
        -> Page<PermissionRecord>
    {
        var filter = SQLFilter()
        if let session = criteria.sessionID { filter.add("session_id = ?", .text(session)) }
        if let task = criteria.taskID { filter.add("task_id = ?", .text(task)) }
        filter.anyOf("status", criteria.statuses)
        filter.anyOf("risk_level", criteria.riskLevels)
        filter.tenant(scope)
        return try await database.read(scope) { [filter] db in
            try await keysetPage(
                db, table: "permission_requests", filter: filter, request: page, decode: PermissionRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// pending → approved/denied (api.md §6); anything else → 409 "already responded". The
    /// session's last activity moves (an answer is activity, orchestration.md §8).
    func answerPermission(_ id: String, approved: Bool, reason: String?, respondedBy: String?, scope: TenantScope)
        async throws -> PermissionRecord
    {
        let now = now()
        let answered = try await database.transaction(scope) { db -> PermissionRecord in
            var filter = SQLFilter()
            filter.add("id = ?", .text(id))
            filter.tenant(scope)
            guard let current = try await db.first("SELECT * FROM permission_requests WHERE \(filter.sql)", filter.binds)
                .map(PermissionRecord.init)
            else { throw APIError.notFound("permission request", id) }
            guard current.status == "pending" else {
                throw APIError.invalidState("permission request \(id) already responded (status \"\(current.status)\")")
            }
            let rows = try await db.query(
                """
                UPDATE permission_requests SET status = ?, responded_by = ?, response_reason = ?, responded_at = ?,
                  updated_at = ? WHERE id = ? AND status = 'pending' RETURNING *
                """,
                [
                    .text(approved ? "approved" : "denied"), .optional(respondedBy), .optional(reason), .timestamp(now),
                    .timestamp(now), .text(id),
                ])
            guard let row = rows.first else {
                throw APIError.invalidState("permission request \(id) already responded")
            }
            try await db.execute(
                "UPDATE sessions SET last_activity_at = ? WHERE id = ?", [.timestamp(now), .text(current.sessionID)])
            return try PermissionRecord(row: row)
        }
        await emit(answered.approved ? "permission.approved" : "permission.denied", permission: answered)
        return answered
    }

    /// The runner acknowledged an answer (`PermissionResponseAck`): delivered once.
    func markPermissionDelivered(_ permissionID: String) async throws {
        let now = now()
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE permission_requests SET delivered_at = ?, updated_at = ? "
                    + "WHERE id = ? AND delivered_at IS NULL AND status IN ('approved','denied')",
                [.timestamp(now), .timestamp(now), .text(permissionID)])
        }
    }

    /// Answers a runner of the session has not acknowledged yet (replayed on `AttachSession`).
    func undeliveredPermissionAnswers(sessionID: String) async throws -> [PermissionRecord] {
        try await database.read(.system) { db in
            try await db.query(
                "SELECT * FROM permission_requests WHERE session_id = ? AND status IN ('approved','denied') "
                    + "AND delivered_at IS NULL ORDER BY created_at",
                [.text(sessionID)]
            ).map(PermissionRecord.init)
        }
    }

    /// Active sessions with a pending request older than its `suspend_after_seconds`
    /// (orchestration.md §8 "Permission timeout"), counting only requests whose run still waits:
    /// one left by an interrupted run waits for the re-run to ask again.
    func sessionsWithOverduePermissions() async throws -> [String] {
        let now = now()
        return try await database.read(.system) { db in
            let rows = try await db.query(
                """
                SELECT p.session_id, p.created_at, p.suspend_after_seconds FROM permission_requests p
                JOIN sessions s ON s.id = p.session_id JOIN task_runs r ON r.id = p.run_id
                WHERE p.status = 'pending' AND s.status = 'active' AND r.status IN ('assigned','running')
                """, [])
            var sessions: [String] = []
            for row in rows {
                guard let session = row.string("session_id"), let created = row.timestamp("created_at") else { continue }
                let limit = Int64(row.int("suspend_after_seconds") ?? 1800)
                if now.milliseconds - created.milliseconds >= limit * 1000, !sessions.contains(session) {
                    sessions.append(session)
                }
            }
            return sessions
        }
    }

    /// Pending requests (the `marionette_permission_requests_pending` gauge).
    public func pendingPermissionCount() async throws -> Int {
        try await database.read(.system) { db in
            try await db.first("SELECT COUNT(*) AS n FROM permission_requests WHERE status = 'pending'", [])?.int("n") ?? 0
        }
    }
}
