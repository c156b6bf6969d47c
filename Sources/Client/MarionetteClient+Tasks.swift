/// Body of a task create. With `sessionID` the task is created through
/// `POST /sessions/{id}/tasks`, otherwise through `POST /tasks` (the server
/// derives the session from `continueFrom`).
public struct CreateTaskRequest: Sendable {
    public var sessionID: String?
    public var prompt: String?
    public var continueFrom: String?
    public var timeoutSeconds: Int?
    public var maxRetries: Int?
    public var labels: [(String, String)]?
    public var annotations: [(String, String)]?

    public init(sessionID: String? = nil, prompt: String? = nil) {
        self.sessionID = sessionID
        self.prompt = prompt
    }

    public var json: JSONValue {
        .object([
            "session_id": sessionID.map(JSONValue.string),
            "prompt": prompt.map(JSONValue.string),
            "continue_from": continueFrom.map(JSONValue.string),
            "timeout_seconds": timeoutSeconds.map(JSONValue.int),
            "max_retries": maxRetries.map(JSONValue.int),
            "labels": labels.map(JSONValue.stringMap),
            "annotations": annotations.map(JSONValue.stringMap),
        ])
    }
}

/// Filters of `GET /api/v1/tasks`.
public struct TaskListFilter: Sendable {
    public var sessionID: String?
    public var statuses: [String] = []
    public var labels: [(String, String)] = []

    public init() {}

    public var queryItems: [QueryItem] {
        var items: [QueryItem] = []
        if let sessionID { items.append(QueryItem("session_id", sessionID)) }
        items += statuses.map { QueryItem("status", $0) }
        return items + labelQueryItems(labels)
    }
}

/// Query of `GET /api/v1/tasks/{id}/logs` (snapshot or follow).
public struct LogQuery: Sendable, Equatable {
    public var levels: [String] = []
    public var streams: [String] = []
    public var runID: String?
    public var afterSequence: Int64?
    public var tail: Int?
    public var limit: Int?
    public var cursor: String?

    public init() {}

    public var queryItems: [QueryItem] {
        var items = levels.map { QueryItem("level", $0) } + streams.map { QueryItem("stream", $0) }
        if let runID { items.append(QueryItem("run_id", runID)) }
        if let afterSequence { items.append(QueryItem("after_sequence", String(afterSequence))) }
        if let tail { items.append(QueryItem("tail", String(tail))) }
        if let limit { items.append(QueryItem("limit", String(limit))) }
        if let cursor, !cursor.isEmpty { items.append(QueryItem("cursor", cursor)) }
        return items
    }
}

/// Task statuses after which nothing changes any more.
public enum TaskStatus {
    public static let terminal: Set<String> = ["completed", "failed", "canceled"]

    public static func isTerminal(_ status: String?) -> Bool { status.map(terminal.contains) ?? false }
}

extension MarionetteClient {
    static func taskPath(_ id: String) -> String { "/api/v1/tasks/" + pathSegment(id) }

    public func createTask(_ request: CreateTaskRequest) async throws -> JSONValue {
        if let sessionID = request.sessionID {
            var body = request
            body.sessionID = nil
            return try await sendExpectingBody(.POST, Self.sessionPath(sessionID) + "/tasks", body: body.json)
        }
        return try await sendExpectingBody(.POST, "/api/v1/tasks", body: request.json)
    }

    public func listTasks(_ filter: TaskListFilter = TaskListFilter(), page: PageRequest = PageRequest(), all: Bool = false)
        async throws -> JSONValue
    {
        all
            ? try await listAll("/api/v1/tasks", query: filter.queryItems, page: page)
            : try await list("/api/v1/tasks", query: filter.queryItems, page: page)
    }

    public func getTask(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.taskPath(id))
    }

    /// `POST /tasks/{id}/execute`; returns `{"status":"executing"}`.
    public func executeTask(_ id: String) async throws -> JSONValue? {
        try await send(.POST, Self.taskPath(id) + "/execute")
    }

    public func cancelTask(_ id: String) async throws {
        try await send(.POST, Self.taskPath(id) + "/cancel")
    }

    public func retryTask(_ id: String, force: Bool = false) async throws {
        try await send(.POST, Self.taskPath(id) + "/retry", body: force ? ["force": true] : nil)
    }

    public func listTaskRuns(_ id: String, statuses: [String] = [], page: PageRequest = PageRequest(), all: Bool = false)
        async throws -> JSONValue
    {
        let query = statuses.map { QueryItem("status", $0) }
        return all
            ? try await listAll(Self.taskPath(id) + "/runs", query: query, page: page)
            : try await list(Self.taskPath(id) + "/runs", query: query, page: page)
    }

    /// A snapshot page of task logs (`LogList` envelope).
    public func taskLogs(_ id: String, query: LogQuery) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.taskPath(id) + "/logs", query: query.queryItems)
    }

    /// All snapshot log lines: every page when no `tail` is given.
    public func allTaskLogs(_ id: String, query: LogQuery) async throws -> JSONValue {
        if query.tail != nil { return try await taskLogs(id, query: query) }
        var pages: [JSONValue] = []
        var pageQuery = query
        var seen: Set<String> = []
        while true {
            let envelope = try await taskLogs(id, query: pageQuery)
            pages.append(envelope)
            guard ListEnvelope.hasMore(envelope), let next = ListEnvelope.nextCursor(envelope), seen.insert(next).inserted
            else { break }
            pageQuery.cursor = next
        }
        return ListEnvelope.merge(pages)
    }

    /// Polls the task until it is terminal; `timeout` (seconds) bounds the wait.
    public func waitForTask(_ id: String, pollInterval: Double = 2, timeout: Double? = nil) async throws -> JSONValue {
        let clock = ContinuousClock()
        let start = clock.now
        var interval = min(pollInterval, 1)
        while true {
            let task = try await getTask(id)
            if TaskStatus.isTerminal(task["status"]?.stringValue) { return task }
            if let timeout, clock.now - start + .seconds(interval) > .seconds(timeout) {
                throw TaskWaitTimeout(taskID: id, seconds: timeout)
            }
            try await Task.sleep(for: .seconds(interval))
            interval = min(interval * 1.5, pollInterval)
        }
    }
}

public struct TaskWaitTimeout: Error, Sendable, CustomStringConvertible {
    public let taskID: String
    public let seconds: Double
    public var description: String {
        "timed out after \(DurationParser.format(seconds: Int(seconds.rounded()))) waiting for task \(taskID)"
    }
}
