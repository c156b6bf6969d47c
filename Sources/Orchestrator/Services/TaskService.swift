import Core

/// Task rules: create validation, cancel, retry and execute (api.md §4, data-model.md §4.3).
public struct TaskService: Sendable {
    public let store: Store
    public var defaultTimeoutSeconds = 3600
    /// The runtime that reaches runners; nil where no runner fabric runs (store-only tests).
    public var hooks: (any OrchestrationHooks)?
    public static let maxPromptBytes = 1 << 20

    public init(store: Store) { self.store = store }

    public func create(_ request: CreateTaskRequest, pathSessionID: String? = nil, scope: TenantScope) async throws
        -> TaskRecord
    {
        if let path = pathSessionID, let body = request.sessionID, body != path {
            throw APIError.validation(
                "session_id in the body (\(body)) differs from the session in the path (\(path))", field: "session_id")
        }
        var sessionID = pathSessionID ?? request.sessionID
        if let previous = request.continueFrom {
            guard ID.isValid(previous, prefix: .task) else {
                throw APIError.validation("continue_from \"\(previous.prefix(64))\" is not a task id", field: "continue_from")
            }
            if sessionID == nil {
                guard let task = try await store.task(previous, scope: scope) else {
                    throw APIError.validation("continue_from task \"\(previous)\" not found", field: "continue_from")
                }
                sessionID = task.sessionID
            }
        }
        guard let sessionID, !sessionID.isEmpty else { throw APIError.required("session_id") }
        guard ID.isValid(sessionID, prefix: .session) else {
            if pathSessionID != nil { throw APIError.notFound("session", sessionID) }
            throw APIError.validation("session_id \"\(sessionID.prefix(64))\" is not a session id", field: "session_id")
        }
        guard let prompt = request.prompt, !prompt.isEmpty else { throw APIError.required("prompt") }
        guard prompt.utf8.count <= Self.maxPromptBytes else {
            throw APIError.validation("prompt must be at most 1 MiB", field: "prompt")
        }
        let timeout = (request.timeoutSeconds ?? 0) <= 0 ? defaultTimeoutSeconds : request.timeoutSeconds!
        let retries = max(0, request.maxRetries ?? 0)
        let labels = request.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? [:]
        try Labels.validateAnnotations(annotations)
        let task = try await store.createTask(
            NewTask(
                sessionID: sessionID, prompt: prompt, continueFrom: request.continueFrom, timeoutSeconds: timeout,
                maxRetries: retries, labels: labels, annotations: annotations),
            scope: scope)
        await hooks?.taskCreated(sessionID: sessionID)
        return task
    }

    public func get(_ id: String, scope: TenantScope) async throws -> TaskRecord {
        guard let task = try await store.task(id, scope: scope) else { throw APIError.notFound("task", id) }
        return task
    }

    public func cancel(_ id: String, scope: TenantScope) async throws -> TaskRecord {
        let (task, runners) = try await store.cancelTask(id, scope: scope)
        await hooks?.taskCanceled(taskID: id, runnerIDs: runners)
        return task
    }

    public func retry(_ id: String, force: Bool, scope: TenantScope) async throws -> TaskRecord {
        let task = try await store.retryTask(id, force: force, scope: scope)
        await hooks?.taskRetried(sessionID: task.sessionID)
        return task
    }

    /// Dispatch needs a runner attached to the session; until the fabric delivers one the task
    /// stays pending and is dispatched when a runner attaches.
    public func execute(_ id: String, scope: TenantScope) async throws {
        let task = try await get(id, scope: scope)
        guard task.status == "pending" else {
            throw APIError.invalidState("task \(id) is in state \"\(task.status)\", expected pending")
        }
        let session = try await store.session(task.sessionID, scope: scope)
        guard session?.runnerID != nil else {
            throw APIError(
                status: 400, code: "no_runner",
                message: "session \(task.sessionID) has no runner yet; the task stays pending and runs when one attaches")
        }
        throw APIError(
            status: 503, code: "runner_not_connected",
            message: "the runner of session \(task.sessionID) is not connected; the task stays pending")
    }
}
