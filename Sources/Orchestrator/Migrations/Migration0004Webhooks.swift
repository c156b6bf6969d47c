/// 0004_webhooks: `webhooks` and their delivery log `webhook_events` (api.md §13.2, §14.2). The
/// secret is kept to sign deliveries; only its prefix is ever returned after create/rotate.
/// Never edit a released migration: add a new one.
enum Migration0004Webhooks {
    static let eventStatuses = ["pending", "delivered", "failed", "exhausted", "canceled"]

    static let tables: [Table] = [
        Table(
            name: "webhooks",
            columns: [
                .id(), .text("name", notNull: true), .text("url", notNull: true), .array("events"),
                .text("secret", notNull: true), .text("secret_prefix", notNull: true), .bool("is_active", default: true),
                .int("max_retries", notNull: true, default: 3, check: "max_retries BETWEEN 0 AND 20"),
                .int("retry_delay_seconds", notNull: true, default: 60, check: "retry_delay_seconds >= 1"),
                .int("timeout_seconds", notNull: true, default: 30, check: "timeout_seconds BETWEEN 1 AND 300"),
                .json("headers"),
            ] + Column.common("TLACU"),
            indexes: [
                "CREATE UNIQUE INDEX webhooks_name_key ON webhooks (COALESCE(tenant_id,''), name)",
                "CREATE INDEX webhooks_created_idx ON webhooks (created_at, id)",
            ]),
        Table(
            name: "webhook_events",
            columns: [
                .id(), .ref("webhook_id", "webhooks(id)", onDelete: "CASCADE", notNull: true),
                .text("event_type", notNull: true), .json("payload"), .oneOf("status", eventStatuses, default: "pending"),
                .int("attempts", notNull: true, default: 0), .text("last_error"), .int("last_status_code"),
                .timestamp("next_retry_at"), .timestamp("delivered_at"), .timestamp("claimed_until"),
            ] + Column.common("TCU"),
            indexes: [
                "CREATE INDEX webhook_events_due_idx ON webhook_events (status, next_retry_at)",
                "CREATE INDEX webhook_events_webhook_idx ON webhook_events (webhook_id, created_at)",
                "CREATE INDEX webhook_events_created_idx ON webhook_events (created_at, id)",
            ]),
    ]

    static func statements(dialect: SQLDialect) -> [String] {
        DDL.render(tables, dialect: dialect)
    }
}
