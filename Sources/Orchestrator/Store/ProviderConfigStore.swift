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
            try await NamedRowRules.requireUniqueName(
                fields.name, table: "provider_configs", kind: "provider config", tenantID: tenantID, except: nil, in: db)
            if fields.isDefault {
                try await NamedRowRules.clearDefault(
                    table: "provider_configs", column: "provider", value: fields.provider, tenantID: tenantID, now: now, in: db)
            }
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
            try await NamedRowRules.requireUniqueName(
                fields.name, table: "provider_configs", kind: "provider config", tenantID: current.tenantID, except: id, in: db)
            if fields.isDefault && !current.isDefault {
                try await NamedRowRules.clearDefault(
                    table: "provider_configs", column: "provider", value: current.provider, tenantID: current.tenantID, now: now,
                    in: db)
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
}
