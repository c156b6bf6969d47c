import Core

/// What one change ended besides its own row (data-model.md §4.1): streams stopped, tunnels closed,
/// tasks and permission requests canceled. Collected inside the change's transaction from the rows
/// the updates returned, and emitted once it committed, so subscribers hear of every resource a
/// session's suspend or terminate, or a task's cancel or failure, took with it (api.md §14.1).
struct Cascade: Sendable {
    var streams: [StreamRecord] = []
    var tunnels: [TunnelRecord] = []
    var tasks: [TaskRecord] = []
    var permissions: [PermissionRecord] = []

    mutating func append(_ other: Cascade) {
        streams += other.streams
        tunnels += other.tunnels
        tasks += other.tasks
        permissions += other.permissions
    }
}

extension Store {
    /// Everything a session leaving `active`/`pending` takes with it, inside the caller's
    /// transaction: its streams stop, its tunnels close, and on terminate its open runs, queued
    /// tasks and pending permission requests are canceled.
    static func endSessionResources(
        ofSession sessionID: String, tunnelReason: String, terminate: Bool, now: Timestamp, in db: any SQLExecutor
    ) async throws -> Cascade {
        var cascade = Cascade()
        cascade.streams = try await stopStreams(ofSession: sessionID, now: now, in: db)
        cascade.tunnels = try await closeTunnels(ofSession: sessionID, reason: tunnelReason, now: now, in: db)
        guard terminate else { return cascade }
        try await db.execute(
            "UPDATE task_runs SET status = 'canceled', ended_at = ?, updated_at = ? "
                + "WHERE status IN ('pending','assigned','running') "
                + "AND task_id IN (SELECT id FROM tasks WHERE session_id = ?)",
            [.timestamp(now), .timestamp(now), .text(sessionID)])
        cascade.tasks = try await db.query(
            "UPDATE tasks SET status = 'canceled', dispatch_parked_reason = NULL, updated_at = ? WHERE session_id = ? "
                + "AND status IN ('pending','running') RETURNING *",
            [.timestamp(now), .text(sessionID)]
        ).map(TaskRecord.init)
        cascade.permissions = try await db.query(
            "UPDATE permission_requests SET status = 'canceled', updated_at = ? WHERE session_id = ? "
                + "AND status = 'pending' RETURNING *",
            [.timestamp(now), .text(sessionID)]
        ).map(PermissionRecord.init)
        return cascade
    }

    /// A task that ended (completed, failed or canceled) cancels its pending permission requests:
    /// questions of earlier, interrupted runs that were never asked again, or ones nobody answered.
    static func cancelPendingPermissions(ofTask taskID: String, now: Timestamp, in db: any SQLExecutor) async throws
        -> [PermissionRecord]
    {
        try await db.query(
            "UPDATE permission_requests SET status = 'canceled', updated_at = ? WHERE task_id = ? AND status = 'pending' "
                + "RETURNING *",
            [.timestamp(now), .text(taskID)]
        ).map(PermissionRecord.init)
    }

    /// Emits the cascade's events after its change committed.
    func emit(_ cascade: Cascade) async {
        for stream in cascade.streams { await emit("stream.stopped", stream: stream) }
        for tunnel in cascade.tunnels { await emit("tunnel.closed", tunnel: tunnel) }
        for task in cascade.tasks { await emit("task.canceled", task: task) }
        for permission in cascade.permissions { await emit("permission.canceled", permission: permission) }
    }
}
