import Core
import HTTPTypes
import Hummingbird
import Orchestrator

/// `/api/v1/tasks` (api.md §4).
enum TaskRoutes {
    static let statuses = ["pending", "running", "completed", "failed", "canceled"]
    static let runStatuses = ["pending", "assigned", "running", "completed", "failed", "timeout", "canceled"]

    static func filter(_ query: QueryParams) throws(APIError) -> TaskFilter {
        var filter = TaskFilter()
        filter.statuses = try query.enums("status", statuses)
        filter.labels = try query.labels()
        return filter
    }

    static func register(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(api, prefix: "/api/v1", .post, "tasks") { request, context in
            let scope = try context.authorize("tasks:write", multiTenant: mt)
            let body = try await JSONIO.decode(CreateTaskRequest.self, from: request)
            return try JSONIO.response(try await s.tasks.create(body, scope: scope), status: .created)
        }
        table.add(api, prefix: "/api/v1", .get, "tasks") { request, context in
            let scope = try context.authorize("tasks:read", multiTenant: mt)
            let query = QueryParams(request)
            var filter = try filter(query)
            if let session = query.first("session_id"), !session.isEmpty {
                guard ID.isValid(session, prefix: .session) else {
                    throw APIError.validation("session_id \"\(session.prefix(64))\" is not a session id", field: "session_id")
                }
                filter.sessionID = session
            }
            return try JSONIO.response(try await s.store.tasks(filter, page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "tasks/{taskID}") { _, context in
            let scope = try context.authorize("tasks:read", multiTenant: mt)
            let id = try context.pathID("taskID", .task, kind: "task")
            return try JSONIO.response(try await s.tasks.get(id, scope: scope))
        }
        table.add(api, prefix: "/api/v1", .post, "tasks/{taskID}/execute") { _, context in
            let scope = try context.authorize("tasks:write", multiTenant: mt)
            let id = try context.pathID("taskID", .task, kind: "task")
            try await s.tasks.execute(id, scope: scope)
            return try JSONIO.response(["status": "executing"], status: .accepted)
        }
        table.add(api, prefix: "/api/v1", .post, "tasks/{taskID}/cancel") { _, context in
            let scope = try context.authorize("tasks:write", multiTenant: mt)
            let id = try context.pathID("taskID", .task, kind: "task")
            _ = try await s.tasks.cancel(id, scope: scope)
            return JSONIO.noContent()
        }
        table.add(api, prefix: "/api/v1", .post, "tasks/{taskID}/retry") { request, context in
            let scope = try context.authorize("tasks:write", multiTenant: mt)
            let id = try context.pathID("taskID", .task, kind: "task")
            let body = try await JSONIO.decodeOptional(RetryTaskRequest.self, from: request)
            _ = try await s.tasks.retry(id, force: body?.force ?? false, scope: scope)
            return JSONIO.noContent()
        }
        table.add(api, prefix: "/api/v1", .get, "tasks/{taskID}/runs") { request, context in
            let scope = try context.authorize("tasks:read", multiTenant: mt)
            let id = try context.pathID("taskID", .task, kind: "task")
            let query = QueryParams(request)
            let runs = try await s.store.runs(
                taskID: id, statuses: try query.enums("status", runStatuses), page: try query.page(), scope: scope)
            return try JSONIO.response(runs)
        }
        table.add(api, prefix: "/api/v1", .get, "tasks/{taskID}/logs") { request, context in
            let scope = try context.authorize("tasks:read", multiTenant: mt)
            let id = try context.pathID("taskID", .task, kind: "task")
            let query = QueryParams(request)
            let logs = try logQuery(query)
            guard try query.bool("follow") else {
                return try JSONIO.response(try await s.store.logs(taskID: id, query: logs, scope: scope))
            }
            _ = try await s.tasks.get(id, scope: scope)
            let sse = request.headers[.accept]?.contains("text/event-stream") ?? false
            let start = try await followStart(
                taskID: id, logs: logs, lastEventID: sse ? request.headers[HTTPField.Name("Last-Event-ID")!] : nil,
                store: s.store, scope: scope)
            return LogFollow(services: s, taskID: id, scope: scope, query: logs, start: start)
                .response(format: sse ? .sse : .ndjson)
        }
    }

    /// The position a follow stream starts after: `Last-Event-ID` (`<run_id>:<sequence>`) wins over
    /// `after_sequence`/`run_id`, which win over `tail`; default the beginning.
    static func followStart(
        taskID: String, logs: LogQuery, lastEventID: String?, store: Store, scope: TenantScope
    ) async throws -> LogFollow.Position {
        var runID = logs.runID
        var after = logs.afterSequence
        if let last = lastEventID, let colon = last.lastIndex(of: ":"), let n = Int64(last[last.index(after: colon)...]) {
            runID = String(last[..<colon])
            after = n
        }
        if let after {
            if let runID {
                guard let run = try await store.run(runID), run.taskID == taskID else {
                    throw APIError.validation("run_id \"\(runID)\" is not a run of task \(taskID)", field: "run_id")
                }
                return LogFollow.Position(attempt: run.attempt, sequence: after)
            }
            let latest = try await store.latestRun(taskID: taskID, scope: scope)
            return LogFollow.Position(attempt: latest?.attempt ?? 1, sequence: after)
        }
        if let tail = logs.tail {
            var tailQuery = logs
            tailQuery.tail = tail
            let lines = try await store.logs(taskID: taskID, query: tailQuery, scope: scope).items
            if let first = lines.first { return LogFollow.Position(attempt: first.attempt ?? 1, sequence: first.sequence - 1) }
        }
        if let runID, let run = try await store.run(runID), run.taskID == taskID {
            return LogFollow.Position(attempt: run.attempt, sequence: 0)
        }
        return LogFollow.Position(attempt: 0, sequence: 0)
    }

    static func logQuery(_ query: QueryParams) throws(APIError) -> LogQuery {
        var logs = LogQuery()
        logs.levels = try query.enums("level", ["debug", "info", "warn", "error"])
        logs.streams = try query.enums("stream", ["stdout", "stderr", "system"])
        if let run = query.first("run_id"), !run.isEmpty {
            guard ID.isValid(run, prefix: .taskRun) else {
                throw .validation("run_id \"\(run.prefix(64))\" is not a run id", field: "run_id")
            }
            logs.runID = run
        }
        logs.afterSequence = try query.int64("after_sequence")
        if logs.afterSequence == nil { logs.afterSequence = try query.int64("since_sequence") }
        if let tail = try query.int64("tail") {
            guard query.first("cursor") == nil else {
                throw .validation("tail cannot be combined with cursor", field: "tail")
            }
            logs.tail = Int(min(tail, 1000))
        }
        logs.limit = query.limit(default: 100, max: 1000)
        if let text = query.first("cursor"), !text.isEmpty {
            let cursor = try Cursor(encoded: text)
            guard cursor.id.hasPrefix("s"), let sequence = Int64(cursor.id.dropFirst()) else { throw .invalidCursor }
            logs.cursor = (Int(cursor.createdAt.milliseconds), sequence)
        }
        return logs
    }
}
