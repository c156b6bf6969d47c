/// Body of `POST /admin/api/v1/webhooks` and `PUT …/{id}` (only what is set is sent).
public struct WebhookRequest: Sendable {
    public var name: String?
    public var url: String?
    public var events: [String]?
    public var isActive: Bool?
    public var maxRetries: Int?
    public var retryDelaySeconds: Int?
    public var timeoutSeconds: Int?
    public var headers: [(String, String)]?
    public var labels: [(String, String)]?

    public init() {}

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "url": url.map(JSONValue.string),
            "events": events.map(JSONValue.stringArray),
            "is_active": isActive.map(JSONValue.bool),
            "max_retries": maxRetries.map(JSONValue.int),
            "retry_delay_seconds": retryDelaySeconds.map(JSONValue.int),
            "timeout_seconds": timeoutSeconds.map(JSONValue.int),
            "headers": headers.map(JSONValue.stringMap),
            "labels": labels.map(JSONValue.stringMap),
        ])
    }
}

/// Filters of `GET /admin/api/v1/webhook-events`.
public struct WebhookEventListFilter: Sendable {
    public var webhookID: String?
    public var statuses: [String] = []
    public var eventType: String?
    public init() {}

    public var queryItems: [QueryItem] {
        var items: [QueryItem] = []
        if let webhookID { items.append(QueryItem("webhook_id", webhookID)) }
        for status in statuses { items.append(QueryItem("status", status)) }
        if let eventType { items.append(QueryItem("event_type", eventType)) }
        return items
    }
}

/// Filters of `GET /admin/api/v1/action-logs` (api.md §13.2).
public struct ActionLogListFilter: Sendable {
    public var actorType: String?
    public var actorID: String?
    public var action: String?
    public var actionPrefix: String?
    public var resourceType: String?
    public var resourceID: String?
    public var sessionID: String?
    public var taskID: String?
    public var success: Bool?
    public var from: String?
    public var to: String?
    public init() {}

    public var queryItems: [QueryItem] {
        var items: [QueryItem] = []
        let pairs: [(String, String?)] = [
            ("actor_type", actorType), ("actor_id", actorID), ("action", action), ("action_prefix", actionPrefix),
            ("resource_type", resourceType), ("resource_id", resourceID), ("session_id", sessionID), ("task_id", taskID),
            ("success", success.map { $0 ? "true" : "false" }), ("from", from), ("to", to),
        ]
        for (name, value) in pairs { if let value { items.append(QueryItem(name, value)) } }
        return items
    }
}

/// Admin API: webhooks, their deliveries, and the audit log.
extension MarionetteClient {
    static func adminWebhookPath(_ id: String) -> String { "/admin/api/v1/webhooks/" + pathSegment(id) }

    /// Returns `{"webhook": Webhook, "secret": "<64 hex>"}`.
    public func createWebhook(_ request: WebhookRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/admin/api/v1/webhooks", body: request.json)
    }

    public func listWebhooks(active: Bool?, page: PageRequest = PageRequest(), all: Bool = false) async throws -> JSONValue {
        let query = active.map { [QueryItem("is_active", $0 ? "true" : "false")] } ?? []
        return all
            ? try await listAll("/admin/api/v1/webhooks", query: query, page: page)
            : try await list("/admin/api/v1/webhooks", query: query, page: page)
    }

    public func getWebhook(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.adminWebhookPath(id))
    }

    public func updateWebhook(_ id: String, _ request: WebhookRequest) async throws -> JSONValue {
        try await sendExpectingBody(.PUT, Self.adminWebhookPath(id), body: request.json)
    }

    public func deleteWebhook(_ id: String) async throws {
        try await send(.DELETE, Self.adminWebhookPath(id))
    }

    /// Returns `{"secret", "secret_prefix"}`.
    public func rotateWebhookSecret(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.POST, Self.adminWebhookPath(id) + "/rotate-secret")
    }

    public func listWebhookEvents(_ filter: WebhookEventListFilter, page: PageRequest = PageRequest(), all: Bool = false)
        async throws -> JSONValue
    {
        all
            ? try await listAll("/admin/api/v1/webhook-events", query: filter.queryItems, page: page)
            : try await list("/admin/api/v1/webhook-events", query: filter.queryItems, page: page)
    }

    public func getWebhookEvent(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, "/admin/api/v1/webhook-events/" + Self.pathSegment(id))
    }

    public func retryWebhookEvent(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/admin/api/v1/webhook-events/" + Self.pathSegment(id) + "/retry")
    }

    public func listActionLogs(_ filter: ActionLogListFilter, page: PageRequest = PageRequest(), all: Bool = false)
        async throws -> JSONValue
    {
        all
            ? try await listAll("/admin/api/v1/action-logs", query: filter.queryItems, page: page)
            : try await list("/admin/api/v1/action-logs", query: filter.queryItems, page: page)
    }

    public func getActionLog(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, "/admin/api/v1/action-logs/" + Self.pathSegment(id))
    }
}
