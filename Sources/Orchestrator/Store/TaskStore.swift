import Core

public struct TaskFilter: Sendable {
    public var sessionID: String?
    public var statuses: [String] = []
    public var labels: [String: String] = [:]
    public init() {}
}

struct NewTask: Sendable {
    var sessionID: String
    var prompt: String
    var continueFrom: String?
    var timeoutSeconds: Int
    var maxRetries: Int
    var labels: [String: String]
    var annotations: [String: String]
}

extension Store {
    /// Inserts a pending task after checking, in the same transaction, that its session accepts work.
    func createTask(_ new: NewTask, scope: TenantScope) async throws -> TaskRecord {
        let now = now()
        let id = newID(.task, at: now)
        let task = try await database.transaction(scope) { db -> TaskRecord in
            guard let session = try await Self.session(new.sessionID, scope: scope, in: db) else {
                throw APIError.notFound("session", new.sessionID)
            }
            guard session.status != "terminated" else {
                throw APIError.invalidState(
                    "session \(session.id) is in state \"terminated\", expected pending, active, suspended or resuming")
            }
            if let previous = new.continueFrom {
                var filter = SQLFilter()
                filter.add("id = ?", .text(previous))
                filter.tenant(scope)
                guard let row = try await db.first("SELECT session_id FROM tasks WHERE \(filter.sql)", filter.binds)
                else { throw APIError.validation("continue_from task \"\(previous)\" not found", field: "continue_from") }
                guard row.string("session_id") == new.sessionID else {
                    throw APIError.validation(
                        "continue_from task \"\(previous)\" belongs to another session", field: "continue_from")
                }
            }
            let parked: String? = session.runnerID == nil ? "waiting for a runner to attach to the session" : nil
            let rows = try await db.query(
                """
                INSERT INTO tasks (id, session_id, prompt, status, continue_from, max_retries, retry_count,
                  timeout_seconds, dispatch_parked_reason, labels, annotations, tenant_id, created_at, updated_at)
                VALUES (?, ?, ?, 'pending', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [
                    .text(id), .text(new.sessionID), .text(new.prompt), .optional(new.continueFrom),
                    .int(new.maxRetries), .int(new.timeoutSeconds), .optional(parked), .labels(new.labels),
                    .labels(new.annotations), .optional(session.tenantID), .timestamp(now), .timestamp(now),
                ])
            try await db.execute(
                "UPDATE sessions SET last_activity_at = ? WHERE id = ?", [.timestamp(now), .text(new.sessionID)])
            return try TaskRecord(row: rows[0])
        }
        await emit("task.created", task: task)
        return task
    }

    public func task(_ id: String, scope: TenantScope) async throws -> TaskRecord? {
        try await database.read(scope) { db in try await Self.task(id, scope: scope, in: db) }
    }

    static func task(_ id: String, scope: TenantScope, in db: any SQLExecutor) async throws -> TaskRecord? {
        var filter = SQLFilter()
        filter.add("id = ?", .text(id))
        filter.tenant(scope)
        return try await db.first("SELECT * FROM tasks WHERE \(filter.sql)", filter.binds).map(TaskRecord.init)
    }

    public func tasks(_ criteria: TaskFilter, page: PageRequest, scope: TenantScope) async throws -> Page<TaskRecord> {
        var filter = SQLFilter()
        filter.tenant(scope)
        if let session = criteria.sessionID { filter.add("session_id = ?", .text(session)) }
        filter.anyOf("status", criteria.statuses)
        filter.labels(criteria.labels, dialect: dialect)
        return try await database.read(scope) { [filter] db in
            try await keysetPage(
                db, table: "tasks", filter: filter, request: page, decode: TaskRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// pending/running → canceled; open runs end canceled, pending permissions of the task too.
    func cancelTask(_ id: String, scope: TenantScope) async throws -> (TaskRecord, runners: [String]) {
        let now = now()
        let canceled = try await database.transaction(scope) {
            db -> (TaskRecord, runners: [String], permissions: [PermissionRecord]) in
            guard let task = try await Self.task(id, scope: scope, in: db) else { throw APIError.notFound("task", id) }
            guard task.status == "pending" || task.status == "running" else {
                throw APIError.invalidState("task \(id) is in state \"\(task.status)\", expected pending or running")
            }
            let rows = try await db.query(
                "UPDATE tasks SET status = 'canceled', dispatch_parked_reason = NULL, updated_at = ? "
                    + "WHERE id = ? AND status = ? RETURNING *",
                [.timestamp(now), .text(id), .text(task.status)])
            guard let row = rows.first else {
                throw APIError.invalidState("task \(id) changed state concurrently; retry the request")
            }
            let runners = try await db.query(
                "UPDATE task_runs SET status = 'canceled', error = 'canceled', ended_at = ?, updated_at = ? "
                    + "WHERE task_id = ? AND status IN ('pending','assigned','running') RETURNING runner_id",
                [.timestamp(now), .timestamp(now), .text(id)]
            ).compactMap { $0.string("runner_id") }
            let permissions = try await Self.cancelPendingPermissions(ofTask: id, now: now, in: db)
            return (try TaskRecord(row: row), runners, permissions)
        }
        await emit("task.canceled", task: canceled.0)
        await emit(Cascade(permissions: canceled.permissions))
        return (canceled.0, canceled.runners)
    }

    /// failed → running with a new pending run (attempt = retry_count + 1); the dispatcher sends it.
    func retryTask(_ id: String, force: Bool, scope: TenantScope) async throws -> TaskRecord {
        let now = now()
        return try await database.transaction(scope) { db in
            guard let task = try await Self.task(id, scope: scope, in: db) else { throw APIError.notFound("task", id) }
            guard task.status == "failed" else {
                throw APIError.invalidState("task \(id) is in state \"\(task.status)\", expected failed")
            }
            guard force || task.retryCount < task.maxRetries else {
                throw APIError.conflict(
                    "max_retries_exceeded",
                    "task \(id) has used \(task.retryCount) of \(task.maxRetries) retries; send {\"force\":true} to retry anyway")
            }
            let nextAttempt =
                (try await db.first("SELECT MAX(attempt) AS a FROM task_runs WHERE task_id = ?", [.text(id)])?
                    .int("a") ?? 0) + 1
            let rows = try await db.query(
                "UPDATE tasks SET status = 'running', retry_count = retry_count + 1, updated_at = ? "
                    + "WHERE id = ? AND status = 'failed' RETURNING *",
                [.timestamp(now), .text(id)])
            guard let row = rows.first else {
                throw APIError.invalidState("task \(id) changed state concurrently; retry the request")
            }
            let session = try await Self.session(task.sessionID, scope: scope, in: db)
            try await db.execute(
                "INSERT INTO task_runs (id, task_id, attempt, runner_id, status, tenant_id, queued_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
                [.text(newID(.taskRun, at: now)), .text(id), .int(nextAttempt), .optional(session?.runnerID),
                 .optional(task.tenantID), .timestamp(now), .timestamp(now)])
            return try TaskRecord(row: row)
        }
    }

    public func runs(taskID: String, statuses: [String], page: PageRequest, scope: TenantScope) async throws
        -> Page<TaskRunRecord>
    {
        try await database.read(scope) { db in
            guard try await Self.task(taskID, scope: scope, in: db) != nil else {
                throw APIError.notFound("task", taskID)
            }
            var filter = SQLFilter()
            filter.add("task_id = ?", .text(taskID))
            filter.anyOf("status", statuses)
            // Runs page by attempt ascending; the cursor carries the last attempt in `createdAt`.
            var pageFilter = filter
            if let cursor = page.cursor { pageFilter.add("attempt > ?", .int(cursor.createdAt.milliseconds)) }
            let rows = try await db.query(
                "SELECT * FROM task_runs WHERE \(pageFilter.sql) ORDER BY attempt ASC LIMIT \(page.limit + 1)",
                pageFilter.binds)
            let items = try rows.prefix(page.limit).map(TaskRunRecord.init)
            let hasMore = rows.count > page.limit
            let total =
                try await db.first("SELECT COUNT(*) AS n FROM task_runs WHERE \(filter.sql)", filter.binds)?
                .int64("n") ?? 0
            return Page(
                items: items, totalCount: total, hasMore: hasMore,
                nextCursor: hasMore
                    ? items.last.map { Cursor(createdAt: Timestamp(milliseconds: Int64($0.attempt)), id: $0.id).encoded }
                    : nil)
        }
    }
}

extension Store {
    /// The run with the highest attempt, if any.
    public func latestRun(taskID: String, scope: TenantScope) async throws -> TaskRunRecord? {
        try await database.read(scope) { db in
            var filter = SQLFilter()
            filter.add("task_id = ?", .text(taskID))
            filter.tenant(scope)
            return try await db.first(
                "SELECT * FROM task_runs WHERE \(filter.sql) ORDER BY attempt DESC LIMIT 1", filter.binds
            ).map(TaskRunRecord.init)
        }
    }

    public func run(_ runID: String) async throws -> TaskRunRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM task_runs WHERE id = ?", [.text(runID)]).map(TaskRunRecord.init)
        }
    }
}
