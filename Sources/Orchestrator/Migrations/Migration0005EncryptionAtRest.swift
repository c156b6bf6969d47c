/// 0005_encryption_at_rest: webhook signing secrets leave the clear (data-model.md §3.21,
/// auth-security.md §6.2). New columns `secret_hash` (SHA-256 hex) and `secret_encrypted` (sealed
/// with the tenant's `secrets/v1` key); the old clear `secret` column is dropped and its values
/// parked in `secret_legacy`, which deliveries still use until the server, started with an
/// encryption key, seals each one and clears it (``WebhookService/sealLegacySecrets()``).
/// Agent configs (whose keys are sealed with their own data key) get the admin list's paging index.
/// Both engines: SQLite ≥ 3.35 drops columns. Never edit a released migration: add a new one.
enum Migration0005EncryptionAtRest {
    static func statements(dialect: SQLDialect) -> [String] {
        [
            "ALTER TABLE webhooks ADD COLUMN secret_hash TEXT",
            "ALTER TABLE webhooks ADD COLUMN secret_encrypted TEXT",
            "ALTER TABLE webhooks ADD COLUMN secret_legacy TEXT",
            "UPDATE webhooks SET secret_legacy = secret",
            "ALTER TABLE webhooks DROP COLUMN secret",
            "CREATE INDEX agent_configs_created_idx ON agent_configs (created_at, id)",
        ]
    }
}
