import Core
import Foundation

/// A run handed to a runner: what `ExecuteTask` carries.
public struct DispatchedRun: Sendable {
    public var task: TaskRecord
    public var runID: String
    public var attempt: Int
    public var runnerID: String
}

extension Store {
    /// pending|resuming session without a runner → active on `runnerID` (data-model.md §4.1).
    func activateSession(_ sessionID: String, runnerID: String) async throws -> SessionRecord? {
        let now = now()
        let session = try await database.transaction(.system) { db -> SessionRecord? in
            let rows = try await db.query(
                """
                UPDATE sessions SET status = 'active', runner_id = ?, last_activity_at = ?,
                  resumed_at = CASE WHEN status = 'resuming' THEN ? ELSE resumed_at END, updated_at = ?
                WHERE id = ? AND status IN ('pending', 'resuming') RETURNING *
                """,
                [.text(runnerID), .timestamp(now), .timestamp(now), .timestamp(now), .text(sessionID)])
            guard let row = rows.first else { return nil }
            try await db.execute(
                "UPDATE runners SET status = 'busy', claim_session_id = ?, claimed_at = ?, updated_at = ? WHERE id = ?",
                [.text(sessionID), .timestamp(now), .timestamp(now), .text(runnerID)])
            try await db.execute(
                "UPDATE tasks SET dispatch_parked_reason = NULL WHERE session_id = ? AND status = 'pending'",
                [.text(sessionID)])
            return try SessionRecord(row: row)
        }
        if session != nil { await emitRunner("runner.assigned", runnerID: runnerID, sessionID: sessionID) }
        return session
    }

    /// The active session of a runner, if any.
    func activeSession(onRunner runnerID: String) async throws -> SessionRecord? {
        try await database.read(.system) { db in
            try await db.first(
                "SELECT * FROM sessions WHERE runner_id = ? AND status = 'active'", [.text(runnerID)]
            ).map(SessionRecord.init)
        }
    }

    /// Sessions waiting for a runner that this runner was started for (its claim).
    func claimedWaitingSession(runnerID: String) async throws -> String? {
        try await database.read(.system) { db in
            try await db.first(
                "SELECT s.id FROM runners r JOIN sessions s ON s.id = r.claim_session_id "
                    + "WHERE r.id = ? AND s.status IN ('pending', 'resuming') AND s.runner_id IS NULL",
                [.text(runnerID)])?.string("id")
        }
    }

    /// Compare-and-set dispatch of the session's oldest pending task, only when none is running.
    func dispatchNext(sessionID: String, runnerID: String) async throws -> DispatchedRun? {
        let now = now()
        let lock = dialect == .postgres ? " FOR UPDATE" : ""
        return try await database.transaction(.system) { db in
            // Serialises dispatchers of one session (SQLite has a single writer already).
            guard try await db.first(
                "SELECT status FROM sessions WHERE id = ? AND status = 'active'\(lock)", [.text(sessionID)]) != nil
            else { return nil }
            // The oldest pending task, unless one of the session's tasks is running.
            guard
                let next = try await db.first(
                    "SELECT * FROM tasks WHERE session_id = ? AND status = 'pending' AND NOT EXISTS "
                        + "(SELECT 1 FROM tasks WHERE session_id = ? AND status = 'running') ORDER BY created_at, id LIMIT 1",
                    [.text(sessionID), .text(sessionID)]
                ).map(TaskRecord.init)
            else { return nil }
            let rows = try await db.query(
                "UPDATE tasks SET status = 'running', dispatch_parked_reason = NULL, updated_at = ? "
                    + "WHERE id = ? AND status = 'pending' RETURNING *",
                [.timestamp(now), .text(next.id)])
            guard let row = rows.first else { return nil }
            // Attempts keep counting past runs ended by a suspend, so (task_id, attempt) stays unique:
            // the attempt is the larger of retry_count + 1 and the last run's attempt + 1, taken in
            // the INSERT itself (one round trip on PostgreSQL instead of two).
            let runID = newID(.taskRun, at: now)
            let inserted = try await db.first(
                "INSERT INTO task_runs (id, task_id, attempt, runner_id, status, tenant_id, queued_at, updated_at) "
                    + "SELECT ?, ?, CASE WHEN COALESCE(MAX(attempt), 0) + 1 > ? THEN COALESCE(MAX(attempt), 0) + 1 "
                    + "ELSE ? END, ?, 'pending', ?, ?, ? FROM task_runs WHERE task_id = ? RETURNING attempt",
                [.text(runID), .text(next.id), .int(next.retryCount + 1), .int(next.retryCount + 1), .text(runnerID),
                 .optional(next.tenantID), .timestamp(now), .timestamp(now), .text(next.id)])
            guard let attempt = inserted?.int("attempt") else {
                throw DatabaseError.engine("inserting the run of task \(next.id) returned no attempt")
            }
            return DispatchedRun(task: try TaskRecord(row: row), runID: runID, attempt: attempt, runnerID: runnerID)
        }
    }

    /// A pending run created by a retry, waiting to be sent.
    func pendingRun(sessionID: String, runnerID: String) async throws -> DispatchedRun? {
        // Almost always there is none: look with a read before taking a write transaction (on
        // SQLite the one writer, shared with log ingest), which every dispatch used to pay.
        let waiting = try await database.read(.system) { db in
            try await db.first(
                "SELECT r.id FROM task_runs r JOIN tasks t ON t.id = r.task_id "
                    + "WHERE t.session_id = ? AND t.status = 'running' AND r.status = 'pending' LIMIT 1", [.text(sessionID)]) != nil
        }
        guard waiting else { return nil }
        let now = now()
        return try await database.transaction(.system) { db in
            guard
                let row = try await db.first(
                    "SELECT r.id AS run_id, r.attempt, t.* FROM task_runs r JOIN tasks t ON t.id = r.task_id "
                        + "WHERE t.session_id = ? AND t.status = 'running' AND r.status = 'pending' "
                        + "ORDER BY r.queued_at LIMIT 1", [.text(sessionID)])
            else { return nil }
            let runID = try row.requiredString("run_id")
            try await db.execute(
                "UPDATE task_runs SET runner_id = ?, updated_at = ? WHERE id = ?",
                [.text(runnerID), .timestamp(now), .text(runID)])
            return DispatchedRun(task: try TaskRecord(row: row), runID: runID, attempt: row.int("attempt") ?? 1, runnerID: runnerID)
        }
    }

    /// Running runs of a session whose runner is `runnerID` (re-sent after a resume, §6 step 11).
    func openRuns(runnerID: String) async throws -> [(taskID: String, runID: String, status: String)] {
        try await database.read(.system) { db in
            try await db.query(
                "SELECT task_id, id, status FROM task_runs WHERE runner_id = ? AND status IN ('pending','assigned','running')",
                [.text(runnerID)]
            ).map { (try $0.requiredString("task_id"), try $0.requiredString("id"), try $0.requiredString("status")) }
        }
    }

    /// The dispatch could not be sent: the task goes back to pending, the run fails (§6 step 1a).
    func unwindDispatch(_ run: DispatchedRun, error: String) async throws {
        let now = now()
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE task_runs SET status = 'failed', error = ?, ended_at = ?, updated_at = ? WHERE id = ?",
                [.text(error), .timestamp(now), .timestamp(now), .text(run.runID)])
            try await db.execute(
                "UPDATE tasks SET status = 'pending', dispatch_parked_reason = ?, updated_at = ? WHERE id = ? AND status = 'running'",
                [.text(error), .timestamp(now), .text(run.task.id)])
        }
    }

    /// Run state from the runner: pending → assigned → running (idempotent, never backwards).
    func advanceRun(_ runID: String, to status: String) async throws {
        let now = now()
        let column = status == "assigned" ? "assigned_at" : "started_at"
        let from = status == "assigned" ? "('pending')" : "('pending','assigned')"
        let taskID = try await database.autocommit(.system) { db in
            try await db.query(
                "UPDATE task_runs SET status = ?, \(column) = COALESCE(\(column), ?), updated_at = ? WHERE id = ? AND status IN \(from) "
                    + "RETURNING task_id",
                [.text(status), .timestamp(now), .timestamp(now), .text(runID)]
            ).first?.string("task_id")
        }
        if status == "running", let taskID, let task = try? await task(taskID, scope: .system) {
            await emit("task.started", task: task)
        }
    }

    public enum RunOutcome: Sendable, Equatable {
        case completed
        /// Failed with a retry scheduled.
        case retrying(attempt: Int)
        case failed
        /// The run was already terminal (late or duplicate report).
        case ignored
    }

    /// Records a run's end and decides the task's fate (§6 steps 6-9). `runStatus` is
    /// completed, failed or timeout.
    func finishRun(
        _ runID: String, runStatus: String, error: String?, exitCode: Int?, tokensIn: Int64?, tokensOut: Int64?,
        cost: Double?, lastLogSequence: Int64?
    ) async throws -> (RunOutcome, TaskRecord?) {
        let now = now()
        let result: (RunOutcome, TaskRecord?, canceled: [PermissionRecord]) = try await database.transaction(.system) {
            db in
            let updated = try await db.query(
                """
                UPDATE task_runs SET status = ?, error = ?, exit_code = ?, tokens_input = ?, tokens_output = ?,
                  cost_usd = ?, last_log_sequence = COALESCE(?, last_log_sequence), ended_at = ?, updated_at = ?
                WHERE id = ? AND status IN ('pending','assigned','running') RETURNING task_id, attempt
                """,
                [.text(runStatus), .optional(error), .optional(exitCode), .optional(tokensIn), .optional(tokensOut),
                 cost.map(SQLValue.double) ?? .null, .optional(lastLogSequence), .timestamp(now), .timestamp(now),
                 .text(runID)])
            guard let run = updated.first, let taskID = run.string("task_id") else {
                if let lastLogSequence {
                    try await db.execute(
                        "UPDATE task_runs SET last_log_sequence = COALESCE(last_log_sequence, ?) WHERE id = ?",
                        [.int(lastLogSequence), .text(runID)])
                }
                return (.ignored, nil, [])
            }
            guard let task = try await db.first("SELECT * FROM tasks WHERE id = ?", [.text(taskID)]).map(TaskRecord.init),
                task.status == "running"
            else { return (.ignored, nil, []) }
            // A run counts as activity for its whole duration: the idle clock starts at its end.
            try await db.execute(
                "UPDATE sessions SET last_activity_at = ? WHERE id = ?", [.timestamp(now), .text(task.sessionID)])
            if runStatus == "completed" {
                let row = try await db.query(
                    "UPDATE tasks SET status = 'completed', updated_at = ? WHERE id = ? RETURNING *",
                    [.timestamp(now), .text(taskID)])
                // Questions of earlier, interrupted runs that were never asked again.
                let canceled = try await Self.cancelPendingPermissions(ofTask: taskID, now: now, in: db)
                return (.completed, try TaskRecord(row: row[0]), canceled)
            }
            if task.retryCount < task.maxRetries {
                let row = try await db.query(
                    "UPDATE tasks SET retry_count = retry_count + 1, updated_at = ? WHERE id = ? RETURNING *",
                    [.timestamp(now), .text(taskID)])
                let next = try TaskRecord(row: row[0])
                let attempt = (run.int("attempt") ?? next.retryCount) + 1
                try await db.execute(
                    "INSERT INTO task_runs (id, task_id, attempt, status, tenant_id, queued_at, updated_at) "
                        + "VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                    [.text(newID(.taskRun, at: now)), .text(taskID), .int(attempt),
                     .optional(task.tenantID), .timestamp(now), .timestamp(now)])
                return (.retrying(attempt: attempt), next, [])
            }
            let row = try await db.query(
                "UPDATE tasks SET status = 'failed', updated_at = ? WHERE id = ? RETURNING *", [.timestamp(now), .text(taskID)])
            let canceled = try await Self.cancelPendingPermissions(ofTask: taskID, now: now, in: db)
            return (.failed, try TaskRecord(row: row[0]), canceled)
        }
        if let task = result.1 {
            let run = try? await self.run(runID)
            switch result.0 {
            case .completed: await emit("task.completed", task: task, run: run)
            case .failed: await emit("task.failed", task: task, run: run)
            case .retrying, .ignored: break
            }
        }
        await emit(Cascade(permissions: result.canceled))
        return (result.0, result.1)
    }

    /// Runs past their timeout: `now > started_at (or assigned_at, or queued_at) + timeout_seconds`.
    func overdueRuns() async throws -> [(runID: String, taskID: String, runnerID: String?)] {
        let now = now()
        return try await database.read(.system) { db in
            let rows = try await db.query(
                "SELECT r.id, r.task_id, r.runner_id, r.started_at, r.assigned_at, r.queued_at, t.timeout_seconds "
                    + "FROM task_runs r JOIN tasks t ON t.id = r.task_id WHERE r.status IN ('assigned','running')", [])
            return rows.compactMap { row in
                guard let start = row.timestamp("started_at") ?? row.timestamp("assigned_at") ?? row.timestamp("queued_at"),
                    let timeout = row.int64("timeout_seconds"), now.milliseconds > start.milliseconds + timeout * 1000,
                    let id = row.string("id"), let task = row.string("task_id")
                else { return nil }
                return (id, task, row.string("runner_id"))
            }
        }
    }

    /// Runners the database believes connected whose last message is older than `seconds`.
    func staleRunners(olderThan seconds: Int64) async throws -> [String] {
        let cutoff = now().adding(seconds: -seconds)
        return try await database.read(.system) { db in
            try await db.query(
                "SELECT id FROM runners WHERE status <> 'offline' AND (last_seen_at IS NULL OR last_seen_at < ?)",
                [.timestamp(cutoff)]
            ).compactMap { $0.string("id") }
        }
    }

    /// Disconnect handling (§5): runner offline; its open runs fail (retry policy applies via
    /// `finishRun`); its active sessions suspend with reason `runner_disconnected`.
    func runnerDisconnected(_ runnerID: String) async throws -> (runs: [String], sessions: [String]) {
        let now = now()
        let (runs, sessions, cascade) = try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE runners SET status = 'offline', claim_session_id = NULL, claimed_at = NULL, updated_at = ? WHERE id = ?",
                [.timestamp(now), .text(runnerID)])
            let runs = try await db.query(
                "SELECT id FROM task_runs WHERE runner_id = ? AND status IN ('pending','assigned','running')",
                [.text(runnerID)]
            ).compactMap { $0.string("id") }
            let sessions = try await db.query(
                """
                UPDATE sessions SET status = 'suspended', previous_runner_id = runner_id, runner_id = NULL,
                  suspend_strategy = 'terminate', suspend_reason = 'runner_disconnected', suspended_at = ?, updated_at = ?
                WHERE runner_id = ? AND status = 'active' RETURNING id
                """,
                [.timestamp(now), .timestamp(now), .text(runnerID)]
            ).compactMap { $0.string("id") }
            var cascade = Cascade()
            for session in sessions {
                cascade.append(
                    try await Self.endSessionResources(
                        ofSession: session, tunnelReason: "runner_closed", terminate: false, now: now, in: db))
            }
            return (runs, sessions, cascade)
        }
        await emitRunner("runner.disconnected", runnerID: runnerID)
        for id in sessions {
            if let session = try? await session(id, scope: .system) { emit("session.suspended", session: session) }
        }
        await emit(cascade)
        return (runs, sessions)
    }

    /// Suspend or terminate bookkeeping of the runner side: session loses its runner.
    func releaseRunner(of sessionID: String) async throws -> String? {
        let runner = try await database.transaction(.system) { db -> String? in
            guard let row = try await db.first(
                "SELECT runner_id, previous_runner_id FROM sessions WHERE id = ?", [.text(sessionID)])
            else { return nil }
            let runner = row.string("runner_id") ?? row.string("previous_runner_id")
            try await db.execute(
                "UPDATE sessions SET previous_runner_id = COALESCE(runner_id, previous_runner_id), runner_id = NULL WHERE id = ?",
                [.text(sessionID)])
            if let runner {
                try await db.execute(
                    "UPDATE runners SET status = 'offline', claim_session_id = NULL, claimed_at = NULL WHERE id = ? "
                        + "AND (claim_session_id = ? OR claim_session_id IS NULL)",
                    [.text(runner), .text(sessionID)])
            }
            return runner
        }
        if let runner { await emitRunner("runner.released", runnerID: runner, sessionID: sessionID) }
        return runner
    }

    func pendingSessionsWithoutRunner() async throws -> [String] {
        try await database.read(.system) { db in
            try await db.query(
                "SELECT DISTINCT s.id FROM sessions s JOIN tasks t ON t.session_id = s.id "
                    + "WHERE s.status IN ('pending','resuming') AND s.runner_id IS NULL AND t.status IN ('pending','running')", []
            ).compactMap { $0.string("id") }
        }
    }
}

extension Store {
    /// A session left `active` mid-run: its open runs end `canceled` and their tasks go back to
    /// `pending`, to run again (with a new attempt) when the session is resumed.
    func requeueOpenRuns(sessionID: String, reason: String) async throws -> [String] {
        let now = now()
        return try await database.transaction(.system) { db in
            let runs = try await db.query(
                "UPDATE task_runs SET status = 'canceled', error = ?, ended_at = ?, updated_at = ? "
                    + "WHERE status IN ('pending','assigned','running') "
                    + "AND task_id IN (SELECT id FROM tasks WHERE session_id = ?) RETURNING id",
                [.text(reason), .timestamp(now), .timestamp(now), .text(sessionID)]
            ).compactMap { $0.string("id") }
            try await db.execute(
                "UPDATE tasks SET status = 'pending', dispatch_parked_reason = ?, updated_at = ? "
                    + "WHERE session_id = ? AND status = 'running'",
                [.text("session suspended; runs again on resume"), .timestamp(now), .text(sessionID)])
            return runs
        }
    }
}

extension Store {
    /// Marks the session's pending tasks as waiting for `reason`. Tasks already parked for the same
    /// reason are left alone, so a session with many queued tasks costs one row per new task, not
    /// a rewrite of its whole queue on every create.
    func parkTasks(sessionID: String, reason: String) async throws {
        let reason = String(reason.prefix(500))
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE tasks SET dispatch_parked_reason = ?, dispatch_attempts = dispatch_attempts + 1 "
                    + "WHERE session_id = ? AND status = 'pending' "
                    + "AND (dispatch_parked_reason IS NULL OR dispatch_parked_reason <> ?)",
                [.text(reason), .text(sessionID), .text(reason)])
        }
    }

    func setContextSnapshot(sessionID: String, json: Data) async throws {
        guard let text = String(data: json, encoding: .utf8), !text.isEmpty else { return }
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE sessions SET context_snapshot = ?, updated_at = ? WHERE id = ?",
                [.json(text), .timestamp(now()), .text(sessionID)])
        }
    }

    func contextSnapshot(sessionID: String) async throws -> Data? {
        try await database.read(.system) { db in
            try await db.first("SELECT context_snapshot FROM sessions WHERE id = ?", [.text(sessionID)])?
                .string("context_snapshot").map { Data($0.utf8) }
        }
    }
}
