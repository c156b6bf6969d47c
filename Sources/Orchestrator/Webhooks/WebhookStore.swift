import Core
import Foundation

/// What a new or updated webhook writes (validated by ``WebhookService``).
struct WebhookFields: Sendable {
    var name: String
    var url: String
    var events: [String]
    var isActive: Bool
    var maxRetries: Int
    var retryDelaySeconds: Int
    var timeoutSeconds: Int
    var headers: [String: String]
    var labels: [String: String]
    var annotations: [String: String]
}

/// A webhook's signing secret as stored: sealed with its tenant's `secrets/v1` key, or (rows from
/// before migration 0005 not yet sealed) the legacy clear value.
enum StoredWebhookSecret: Sendable {
    case sealed(String, tenantID: String?)
    case legacy(String)
}

/// A webhook secret ready to store: its hash, prefix and sealed form (never the secret itself).
struct WebhookSecretColumns: Sendable {
    let hash: String
    let prefix: String
    let sealed: String
}

/// A due delivery with what sending it needs (the secret stays inside the Orchestrator).
struct WebhookDelivery: Sendable {
    let eventID: String
    let webhookID: String
    let url: String
    let secret: StoredWebhookSecret
    let headers: [String: String]
    let timeoutSeconds: Int
    let policy: WebhookRetryPolicy
    let payload: String
    let attempts: Int
}

public struct WebhookEventFilter: Sendable {
    public var webhookID: String?
    public var statuses: [String] = []
    public var eventType: String?
    public init() {}
}

extension Store {
    func createWebhook(_ fields: WebhookFields, id: String, secret: WebhookSecretColumns, tenantID: String?) async throws
        -> WebhookRecord
    {
        let now = now()
        return try await database.transaction(.system) { db in
            try await NamedRowRules.requireUniqueName(fields.name, table: "webhooks", kind: "webhook", tenantID: tenantID, except: nil, in: db)
            let rows = try await db.query(
                """
                INSERT INTO webhooks (id, name, url, events, secret_hash, secret_prefix, secret_encrypted, is_active, max_retries,
                  retry_delay_seconds, timeout_seconds, headers, labels, annotations, tenant_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [.text(id), .text(fields.name), .text(fields.url), .textArray(fields.events), .text(secret.hash),
                 .text(secret.prefix), .text(secret.sealed), .bool(fields.isActive), .int(fields.maxRetries), .int(fields.retryDelaySeconds),
                 .int(fields.timeoutSeconds), .labels(fields.headers), .labels(fields.labels), .labels(fields.annotations),
                 .optional(tenantID), .timestamp(now), .timestamp(now)])
            return try WebhookRecord(row: rows[0])
        }
    }

    public func webhook(_ id: String) async throws -> WebhookRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM webhooks WHERE id = ?", [.text(id)]).map(WebhookRecord.init)
        }
    }

    public func webhooks(active: Bool?, labels: [String: String], page: PageRequest) async throws -> Page<WebhookRecord> {
        var filter = SQLFilter()
        if let active { filter.add("is_active = ?", .bool(active)) }
        filter.labels(labels, dialect: dialect)
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "webhooks", filter: filter, request: page, decode: WebhookRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    func updateWebhook(_ id: String, _ fields: WebhookFields) async throws -> WebhookRecord {
        let now = now()
        return try await database.transaction(.system) { db in
            guard let current = try await db.first("SELECT * FROM webhooks WHERE id = ?", [.text(id)]).map(WebhookRecord.init) else {
                throw APIError.notFound("webhook", id)
            }
            if fields.name != current.name {
                try await NamedRowRules.requireUniqueName(
                    fields.name, table: "webhooks", kind: "webhook", tenantID: current.tenantID, except: id, in: db)
            }
            let rows = try await db.query(
                """
                UPDATE webhooks SET name = ?, url = ?, events = ?, is_active = ?, max_retries = ?, retry_delay_seconds = ?,
                  timeout_seconds = ?, headers = ?, labels = ?, annotations = ?, updated_at = ? WHERE id = ? RETURNING *
                """,
                [.text(fields.name), .text(fields.url), .textArray(fields.events), .bool(fields.isActive), .int(fields.maxRetries),
                 .int(fields.retryDelaySeconds), .int(fields.timeoutSeconds), .labels(fields.headers), .labels(fields.labels),
                 .labels(fields.annotations), .timestamp(now), .text(id)])
            if !fields.isActive { try await Self.cancelPendingEvents(webhookID: id, now: now, in: db) }
            return try WebhookRecord(row: rows[0])
        }
    }

    func deleteWebhook(_ id: String) async throws {
        try await database.transaction(.system) { db in
            let rows = try await db.query("DELETE FROM webhooks WHERE id = ? RETURNING id", [.text(id)])
            guard !rows.isEmpty else { throw APIError.notFound("webhook", id) }
        }
    }

    func rotateWebhookSecret(_ id: String, secret: WebhookSecretColumns) async throws -> WebhookRecord {
        let now = now()
        return try await database.transaction(.system) { db in
            let rows = try await db.query(
                """
                UPDATE webhooks SET secret_hash = ?, secret_prefix = ?, secret_encrypted = ?, secret_legacy = NULL, updated_at = ?
                WHERE id = ? RETURNING *
                """,
                [.text(secret.hash), .text(secret.prefix), .text(secret.sealed), .timestamp(now), .text(id)])
            guard let row = rows.first else { throw APIError.notFound("webhook", id) }
            return try WebhookRecord(row: row)
        }
    }

    /// Webhooks whose secret is still the clear value from before migration 0005.
    func legacyWebhookSecrets() async throws -> [(id: String, tenantID: String?, secret: String)] {
        try await database.read(.system) { db in
            try await db.query("SELECT id, tenant_id, secret_legacy FROM webhooks WHERE secret_legacy IS NOT NULL", []).compactMap { row in
                guard let id = row.string("id"), let secret = row.string("secret_legacy") else { return nil }
                return (id, row.string("tenant_id"), secret)
            }
        }
    }

    /// Replaces a legacy clear secret by its sealed form (unless it was rotated meanwhile).
    func sealLegacyWebhookSecret(_ id: String, secret: WebhookSecretColumns) async throws {
        try await database.transaction(.system) { db in
            try await db.execute(
                """
                UPDATE webhooks SET secret_hash = ?, secret_encrypted = ?, secret_legacy = NULL
                WHERE id = ? AND secret_legacy IS NOT NULL
                """,
                [.text(secret.hash), .text(secret.sealed), .text(id)])
        }
    }

    /// One `pending` delivery per active webhook whose patterns match the event (and whose tenant,
    /// if it has one, is the event's). Returns how many were queued.
    func enqueueWebhookEvents(_ event: DomainEvent, maxPayloadBytes: Int) async throws -> Int {
        let now = now()
        // Matching reads only (most events match no webhook): the write transaction, which
        // SQLite serialises with every other writer, opens only when there is something to queue.
        let hooks = try await database.read(.system) { db in
            try await db.query("SELECT id, events, tenant_id FROM webhooks WHERE is_active = ?", [.bool(true)])
        }
        let matching = hooks.compactMap { hook -> String? in
            guard let hookID = hook.string("id") else { return nil }
            if let tenant = hook.string("tenant_id"), tenant != event.tenantID { return nil }
            let patterns = hook.stringArray("events").compactMap { try? EventPattern(parsing: $0) }
            return patterns.contains(where: { $0.matches(event.type) }) ? hookID : nil
        }
        guard !matching.isEmpty else { return 0 }
        let payload = String(decoding: try JSONEncoder.sortedKeys.encode(WebhookPayload(event)), as: UTF8.self)
        guard payload.utf8.count <= maxPayloadBytes else { return 0 }
        try await database.transaction(.system) { db in
            for hookID in matching {
                try await db.execute(
                    """
                    INSERT INTO webhook_events (id, webhook_id, event_type, payload, status, attempts, next_retry_at, tenant_id,
                      created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)
                    """,
                    [.text(newID(.webhookEvent, at: now)), .text(hookID), .text(event.type), .json(payload), .timestamp(now),
                     .optional(event.tenantID), .timestamp(now), .timestamp(now)])
            }
        }
        return matching.count
    }

    /// Up to `limit` due deliveries, claimed for `leaseSeconds` (a crashed worker's claim lapses and
    /// the event is sent again).
    func claimDueWebhookEvents(limit: Int, leaseSeconds: Int64) async throws -> [WebhookDelivery] {
        let now = now()
        return try await database.transaction(.system) { db in
            let rows = try await db.query(
                """
                SELECT e.id, e.webhook_id, e.payload, e.attempts, w.url, w.secret_encrypted, w.secret_legacy, w.tenant_id,
                  w.headers, w.timeout_seconds, w.max_retries, w.retry_delay_seconds FROM webhook_events e JOIN webhooks w ON w.id = e.webhook_id
                WHERE e.status = 'pending' AND e.next_retry_at <= ? AND (e.claimed_until IS NULL OR e.claimed_until <= ?)
                  AND w.is_active = ?
                ORDER BY e.next_retry_at, e.id LIMIT \(limit)
                """,
                [.timestamp(now), .timestamp(now), .bool(true)])
            var deliveries: [WebhookDelivery] = []
            for row in rows {
                guard let id = row.string("id"), let webhookID = row.string("webhook_id"), let url = row.string("url") else {
                    continue
                }
                let secret: StoredWebhookSecret
                if let sealed = row.string("secret_encrypted") {
                    secret = .sealed(sealed, tenantID: row.string("tenant_id"))
                } else if let legacy = row.string("secret_legacy") {
                    secret = .legacy(legacy)
                } else {
                    continue
                }
                try await db.execute(
                    "UPDATE webhook_events SET claimed_until = ? WHERE id = ?",
                    [.timestamp(now.adding(seconds: leaseSeconds)), .text(id)])
                deliveries.append(
                    WebhookDelivery(
                        eventID: id, webhookID: webhookID, url: url, secret: secret, headers: row.stringMap("headers"),
                        timeoutSeconds: row.int("timeout_seconds") ?? 30,
                        policy: WebhookRetryPolicy(
                            maxRetries: row.int("max_retries") ?? 3, retryDelaySeconds: row.int("retry_delay_seconds") ?? 60),
                        payload: row.string("payload") ?? "{}", attempts: row.int("attempts") ?? 0))
            }
            return deliveries
        }
    }

    /// Records one attempt's result.
    func recordWebhookAttempt(
        _ eventID: String, outcome: WebhookRetryPolicy.Outcome, statusCode: Int?, error: String?
    ) async throws {
        let now = now()
        let status: String
        var nextRetry: Timestamp?
        switch outcome {
        case .delivered: status = "delivered"
        case .retry(let seconds):
            status = "pending"
            nextRetry = now.adding(seconds: seconds)
        case .failed: status = "failed"
        case .exhausted: status = "exhausted"
        }
        let retryAt = nextRetry
        try await database.transaction(.system) { db in
            try await db.execute(
                """
                UPDATE webhook_events SET status = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?,
                  next_retry_at = ?, delivered_at = ?, claimed_until = NULL, updated_at = ? WHERE id = ? AND status = 'pending'
                """,
                [.text(status), .optional(statusCode), .optional(error.map { String($0.prefix(1000)) }), .optional(retryAt),
                 status == "delivered" ? .timestamp(now) : .null, .timestamp(now), .text(eventID)])
        }
    }

    public func webhookEvent(_ id: String) async throws -> WebhookEventRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM webhook_events WHERE id = ?", [.text(id)]).map(WebhookEventRecord.init)
        }
    }

    public func webhookEvents(_ criteria: WebhookEventFilter, page: PageRequest) async throws -> Page<WebhookEventRecord> {
        var filter = SQLFilter()
        if let webhook = criteria.webhookID { filter.add("webhook_id = ?", .text(webhook)) }
        if let type = criteria.eventType { filter.add("event_type = ?", .text(type)) }
        filter.anyOf("status", criteria.statuses)
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "webhook_events", filter: filter, request: page, decode: WebhookEventRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Manual retry of a `failed` or `exhausted` delivery: pending again, due now.
    func retryWebhookEvent(_ id: String) async throws {
        let now = now()
        try await database.transaction(.system) { db in
            guard let current = try await db.first("SELECT status FROM webhook_events WHERE id = ?", [.text(id)]) else {
                throw APIError.notFound("webhook event", id)
            }
            let status = current.string("status") ?? ""
            guard status == "failed" || status == "exhausted" else {
                throw APIError.invalidState("webhook event \(id) is \(status); only failed or exhausted ones can be retried")
            }
            try await db.execute(
                "UPDATE webhook_events SET status = 'pending', next_retry_at = ?, claimed_until = NULL, updated_at = ? WHERE id = ?",
                [.timestamp(now), .timestamp(now), .text(id)])
        }
    }

    static func cancelPendingEvents(webhookID: String, now: Timestamp, in db: any SQLExecutor) async throws {
        try await db.execute(
            "UPDATE webhook_events SET status = 'canceled', updated_at = ? WHERE webhook_id = ? AND status = 'pending'",
            [.timestamp(now), .text(webhookID)])
    }
}

extension JSONEncoder {
    /// Keys sorted: equal payloads store equal text.
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
