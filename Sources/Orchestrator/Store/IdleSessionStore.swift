import Core

/// Idle suspend (orchestration.md §8): `on_demand` sessions that are `active`, have
/// `idle_timeout_seconds > 0`, no queued or running task, no pending permission, and no activity
/// for longer than their timeout. Live activity the store cannot see (tunnel connections, stream
/// viewers) is the caller's to check between ``idleSessions()`` and ``suspendIfIdle(_:lastActivity:)``.
extension Store {
    public struct IdleSession: Sendable, Equatable {
        public var id: String
        public var lastActivityAt: Timestamp
    }

    static let busySessionSQL = """
        EXISTS (SELECT 1 FROM tasks t WHERE t.session_id = sessions.id AND t.status IN ('pending','running'))
        OR EXISTS (SELECT 1 FROM permission_requests p WHERE p.session_id = sessions.id AND p.status = 'pending')
        """

    /// Candidates whose timeout has passed.
    public func idleSessions() async throws -> [IdleSession] {
        let now = now()
        return try await database.read(.system) { db in
            try await db.query(
                """
                SELECT id, last_activity_at, idle_timeout_seconds FROM sessions
                WHERE status = 'active' AND lifecycle_mode = 'on_demand' AND idle_timeout_seconds > 0
                  AND last_activity_at IS NOT NULL AND NOT (\(Self.busySessionSQL))
                """, []
            ).compactMap { row in
                guard let id = row.string("id"), let last = row.timestamp("last_activity_at"),
                    let timeout = row.int64("idle_timeout_seconds"),
                    now.milliseconds - last.milliseconds > timeout * 1000
                else { return nil }
                return IdleSession(id: id, lastActivityAt: last)
            }
        }
    }

    /// Suspends the session with reason `idle_timeout` unless anything happened since it was found
    /// idle (the grace check, done by the update itself): it is still `active`, its
    /// `last_activity_at` is the one read, and it has no queued or running task and no pending
    /// question. Nil when the check failed. Its streams stop and its tunnels close, as on any suspend.
    public func suspendIfIdle(_ id: String, lastActivity: Timestamp) async throws -> SessionRecord? {
        let now = now()
        let result = try await database.transaction(.system) { db -> (SessionRecord, Cascade)? in
            let rows = try await db.query(
                """
                UPDATE sessions SET status = 'suspended', suspend_reason = 'idle_timeout',
                  suspend_strategy = 'terminate_preserve_storage', suspended_at = ?, updated_at = ?
                WHERE id = ? AND status = 'active' AND last_activity_at = ? AND NOT (\(Self.busySessionSQL))
                RETURNING *
                """,
                [.timestamp(now), .timestamp(now), .text(id), .timestamp(lastActivity)])
            guard let row = rows.first else { return nil }
            let cascade = try await Self.endSessionResources(
                ofSession: id, tunnelReason: "session_suspended", terminate: false, now: now, in: db)
            return (try SessionRecord(row: row), cascade)
        }
        guard let (session, cascade) = result else { return nil }
        emit("session.suspended", session: session)
        await emit(cascade)
        return session
    }

    /// Activity the store does not see by itself (log lines, tunnel traffic, viewers, input).
    public func touchSession(_ id: String) async throws {
        let now = now()
        try await database.autocommit(.system) { db in
            try await db.execute(
                "UPDATE sessions SET last_activity_at = ? WHERE id = ? AND status = 'active'", [.timestamp(now), .text(id)])
        }
    }
}
