import Core
import Foundation

/// What a new or updated provider config writes (validated by ``ProviderConfigService``).
struct ProviderConfigFields: Sendable {
    var name: String
    var provider: String
    var config: [String: JSONAnyValue]
    var suspendConfig: [String: JSONAnyValue]
    var isDefault: Bool
    var labels: [String: String]
    var annotations: [String: String]
}

extension Store {
    /// Inserts a config; `is_default` takes the default over from the provider's previous one in
    /// the same transaction.
    func createProviderConfig(_ fields: ProviderConfigFields, id: String, tenantID: String?) async throws -> ProviderConfigRecord {
        let now = now()
        return try await database.transaction(.system) { db in
            try await Self.checkProviderConfigName(fields.name, tenantID: tenantID, except: nil, in: db)
            if fields.isDefault { try await Self.clearProviderDefault(fields.provider, tenantID: tenantID, now: now, in: db) }
            let rows = try await db.query(
                """
                INSERT INTO provider_configs (id, name, provider, config, suspend_config, is_default, labels, annotations, tenant_id,
                  created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [.text(id), .text(fields.name), .text(fields.provider), .json(JSONAnyValue.encode(fields.config)),
                 .json(JSONAnyValue.encode(fields.suspendConfig)), .bool(fields.isDefault), .labels(fields.labels),
                 .labels(fields.annotations), .optional(tenantID), .timestamp(now), .timestamp(now)])
            return try ProviderConfigRecord(row: rows[0])
        }
    }

    public func providerConfig(_ id: String) async throws -> ProviderConfigRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM provider_configs WHERE id = ?", [.text(id)]).map(ProviderConfigRecord.init)
        }
    }

    public func providerConfigs(provider: String?, labels: [String: String], page: PageRequest) async throws
        -> Page<ProviderConfigRecord>
    {
        var filter = SQLFilter()
        if let provider { filter.add("provider = ?", .text(provider)) }
        filter.labels(labels, dialect: dialect)
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "provider_configs", filter: filter, request: page, decode: ProviderConfigRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Writes `fields` over the config (the provider never changes).
    func updateProviderConfig(_ id: String, _ fields: ProviderConfigFields) async throws -> ProviderConfigRecord {
        let now = now()
        return try await database.transaction(.system) { db in
            guard
                let current = try await db.first("SELECT * FROM provider_configs WHERE id = ?", [.text(id)])
                    .map(ProviderConfigRecord.init)
            else { throw APIError.notFound("provider config", id) }
            try await Self.checkProviderConfigName(fields.name, tenantID: current.tenantID, except: id, in: db)
            if fields.isDefault && !current.isDefault {
                try await Self.clearProviderDefault(current.provider, tenantID: current.tenantID, now: now, in: db)
            }
            let rows = try await db.query(
                """
                UPDATE provider_configs SET name = ?, config = ?, suspend_config = ?, is_default = ?, labels = ?, annotations = ?,
                  updated_at = ?
                WHERE id = ? RETURNING *
                """,
                [.text(fields.name), .json(JSONAnyValue.encode(fields.config)), .json(JSONAnyValue.encode(fields.suspendConfig)),
                 .bool(fields.isDefault), .labels(fields.labels), .labels(fields.annotations), .timestamp(now), .text(id)])
            return try ProviderConfigRecord(row: rows[0])
        }
    }

    /// Deletes a config; profiles and runners that named it keep existing without it (SET NULL).
    func deleteProviderConfig(_ id: String) async throws {
        try await database.transaction(.system) { db in
            let rows = try await db.query("DELETE FROM provider_configs WHERE id = ? RETURNING id", [.text(id)])
            guard !rows.isEmpty else { throw APIError.notFound("provider config", id) }
        }
    }

    private static func checkProviderConfigName(_ name: String, tenantID: String?, except id: String?, in db: any SQLExecutor)
        async throws
    {
        if try await db.first(
            "SELECT id FROM provider_configs WHERE name = ? AND COALESCE(tenant_id,'') = ? AND id <> ?",
            [.text(name), .text(tenantID ?? ""), .text(id ?? "")]) != nil
        {
            throw APIError.conflict("name_exists", "a provider config named \"\(name)\" exists; choose another name")
        }
    }

    private static func clearProviderDefault(_ provider: String, tenantID: String?, now: Timestamp, in db: any SQLExecutor) async throws {
        try await db.execute(
            """
            UPDATE provider_configs SET is_default = ?, updated_at = ?
            WHERE provider = ? AND COALESCE(tenant_id,'') = ? AND is_default = ?
            """,
            [.bool(false), .timestamp(now), .text(provider), .text(tenantID ?? ""), .bool(true)])
    }
}
