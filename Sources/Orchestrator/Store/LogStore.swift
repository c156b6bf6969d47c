import Core

public struct LogQuery: Sendable {
    public var levels: [String] = []
    public var streams: [String] = []
    public var runID: String?
    public var afterSequence: Int64?
    public var tail: Int?
    public var limit = 100
    /// Resume point of the snapshot pager: (attempt, sequence) of the last line returned.
    public var cursor: (attempt: Int, sequence: Int64)?
    public init() {}
}

extension Store {
    /// A task's log lines ordered by (run attempt, sequence), with the resume rules of api.md §4.2.
    public func logs(taskID: String, query: LogQuery, scope: TenantScope) async throws -> Page<LogRecord> {
        try await database.read(scope) { db in
            guard try await Self.task(taskID, scope: scope, in: db) != nil else {
                throw APIError.notFound("task", taskID)
            }
            var filter = SQLFilter()
            // Through the task's runs (few, indexed by task) and each run's `(run_id, sequence)`
            // index: the logs table keeps no index by task (one b-tree less per stored line).
            filter.add("r.task_id = ?", .text(taskID))
            filter.tenant(scope, column: "l.tenant_id")
            filter.anyOf("l.level", query.levels)
            filter.anyOf("l.stream", query.streams)
            if let after = query.afterSequence {
                // after_sequence names a point in one run: that run's attempt (or the latest run).
                let anchor: SQLRow?
                if let run = query.runID {
                    anchor = try await db.first(
                        "SELECT attempt FROM task_runs WHERE id = ? AND task_id = ?", [.text(run), .text(taskID)])
                    guard anchor != nil else {
                        throw APIError.validation("run_id \"\(run)\" is not a run of task \(taskID)", field: "run_id")
                    }
                } else {
                    anchor = try await db.first(
                        "SELECT MAX(attempt) AS attempt FROM task_runs WHERE task_id = ?", [.text(taskID)])
                }
                let attempt = anchor?.int("attempt") ?? 1
                filter.add("(r.attempt > ? OR (r.attempt = ? AND l.sequence > ?))", .int(attempt), .int(attempt), .int(after))
            } else if let run = query.runID {
                filter.add("l.run_id = ?", .text(run))
            }
            let from = "FROM logs l JOIN task_runs r ON r.id = l.run_id WHERE "
            if let tail = query.tail {
                let rows = try await db.query(
                    "SELECT l.*, r.attempt \(from)\(filter.sql) ORDER BY r.attempt DESC, l.sequence DESC LIMIT \(tail)",
                    filter.binds)
                let items = try rows.reversed().map(LogRecord.init)
                return Page(items: items, totalCount: Int64(items.count), hasMore: false, nextCursor: nil)
            }
            var pageFilter = filter
            if let cursor = query.cursor {
                pageFilter.add(
                    "(r.attempt > ? OR (r.attempt = ? AND l.sequence > ?))", .int(cursor.attempt), .int(cursor.attempt),
                    .int(cursor.sequence))
            }
            let rows = try await db.query(
                "SELECT l.*, r.attempt \(from)\(pageFilter.sql) ORDER BY r.attempt ASC, l.sequence ASC LIMIT \(query.limit + 1)",
                pageFilter.binds)
            let items = try rows.prefix(query.limit).map(LogRecord.init)
            let hasMore = rows.count > query.limit
            let total = try await db.first("SELECT COUNT(*) AS n \(from)\(filter.sql)", filter.binds)?.int64("n") ?? 0
            let next = hasMore
                ? items.last.map {
                    Cursor(createdAt: Timestamp(milliseconds: Int64($0.attempt ?? 1)), id: "s\($0.sequence)").encoded
                } : nil
            return Page(items: items, totalCount: total, hasMore: hasMore, nextCursor: next)
        }
    }
}

extension Store {
    /// One page of a follower's catch-up (api.md §4.2): lines after `after` in (attempt, sequence)
    /// order. Read run by run as range scans of the `(run_id, sequence)` unique index, with no
    /// total count: the snapshot query (a join sorted by attempt, plus `COUNT(*)`) reads the whole
    /// task's log for every page, which made catching up on 1M lines quadratic.
    public func followLogs(
        taskID: String, after: (attempt: Int, sequence: Int64), levels: [String] = [], streams: [String] = [],
        limit: Int, scope: TenantScope
    ) async throws -> (items: [LogRecord], hasMore: Bool) {
        try await database.read(scope) { db in
            var runFilter = SQLFilter()
            runFilter.add("task_id = ?", .text(taskID))
            runFilter.add("attempt >= ?", .int(Int64(after.attempt)))
            runFilter.tenant(scope)
            let runs = try await db.query(
                "SELECT id, attempt FROM task_runs WHERE \(runFilter.sql) ORDER BY attempt", runFilter.binds)
            var items: [LogRecord] = []
            for run in runs {
                let want = limit + 1 - items.count
                guard want > 0 else { break }
                let attempt = run.int("attempt") ?? 1
                var filter = SQLFilter()
                filter.add("run_id = ?", .text(try run.requiredString("id")))
                filter.add("sequence > ?", .int(attempt == after.attempt ? after.sequence : 0))
                filter.tenant(scope)
                filter.anyOf("level", levels)
                filter.anyOf("stream", streams)
                let rows = try await db.query(
                    "SELECT * FROM logs WHERE \(filter.sql) ORDER BY sequence LIMIT \(want)", filter.binds)
                for row in rows {
                    var record = try LogRecord(row: row)
                    record.attempt = attempt
                    items.append(record)
                }
            }
            let hasMore = items.count > limit
            if hasMore { items.removeLast(items.count - limit) }
            return (items, hasMore)
        }
    }
}
