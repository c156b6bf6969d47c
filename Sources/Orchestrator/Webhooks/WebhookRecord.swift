import Foundation
import Core

/// A webhook as the admin API shows it (api.md §13.3): never the secret, only its prefix.
public struct WebhookRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var url: String
    public var events: [String]
    public var secretPrefix: String
    public var isActive: Bool
    public var maxRetries: Int
    public var retryDelaySeconds: Int
    public var timeoutSeconds: Int
    public var headers: [String: String]
    public var labels: [String: String]
    public var annotations: [String: String]
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, url, events, secretPrefix = "secret_prefix", isActive = "is_active", maxRetries = "max_retries"
        case retryDelaySeconds = "retry_delay_seconds", timeoutSeconds = "timeout_seconds", headers, labels, annotations
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = try row.requiredString("name")
        url = try row.requiredString("url")
        events = row.stringArray("events")
        secretPrefix = try row.requiredString("secret_prefix")
        isActive = row.bool("is_active")
        maxRetries = row.int("max_retries") ?? 3
        retryDelaySeconds = row.int("retry_delay_seconds") ?? 60
        timeoutSeconds = row.int("timeout_seconds") ?? 30
        headers = row.stringMap("headers")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}

/// One event to deliver to one webhook, with its delivery state (api.md §13.3 WebhookEvent).
public struct WebhookEventRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var webhookID: String
    public var eventType: String
    public var payload: WebhookPayload?
    public var status: String
    public var attempts: Int
    public var lastError: String?
    public var lastStatusCode: Int?
    public var nextRetryAt: Timestamp?
    public var deliveredAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, webhookID = "webhook_id", eventType = "event_type", payload, status, attempts, lastError = "last_error"
        case lastStatusCode = "last_status_code", nextRetryAt = "next_retry_at", deliveredAt = "delivered_at"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        webhookID = try row.requiredString("webhook_id")
        eventType = try row.requiredString("event_type")
        payload = row.string("payload").flatMap { try? JSONDecoder().decode(WebhookPayload.self, from: Data($0.utf8)) }
        status = try row.requiredString("status")
        attempts = row.int("attempts") ?? 0
        lastError = row.string("last_error")
        lastStatusCode = row.int("last_status_code")
        nextRetryAt = row.timestamp("next_retry_at")
        deliveredAt = row.timestamp("delivered_at")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}

/// The body of a delivery (api.md §14.2), stored with the event: a retry sends the same
/// content, and the admin API shows it.
public struct WebhookPayload: Sendable, Codable, Equatable {
    public struct Resource: Sendable, Codable, Equatable {
        public var id: String
        public var type: String
        public var labels: [String: String]?
        public var annotations: [String: String]?
    }

    public var event: String
    public var timestamp: Timestamp
    public var resource: Resource
    public var data: [String: MetadataValue]

    public init(_ event: DomainEvent) {
        self.event = event.type
        timestamp = event.timestamp
        resource = Resource(
            id: event.resourceID, type: event.resourceType, labels: event.labels.isEmpty ? nil : event.labels,
            annotations: event.annotations.isEmpty ? nil : event.annotations)
        data = event.data
    }
}
