import Core
import Foundation

/// What a new or updated profile writes (validated by ``ProfileService``).
struct ProfileFields: Sendable {
    var name: String
    var description: String?
    var providerConfigID: String?
    var resources: [String: JSONAnyValue]
    var network: [String: JSONAnyValue]
    var initScript: String?
    var cleanupScript: String?
    var tunnels: [JSONAnyValue]
    var selector: [String: JSONAnyValue]
    var labels: [String: String]
    var annotations: [String: String]

    var binds: [SQLValue] {
        [.text(name), .optional(description), .optional(providerConfigID), .json(JSONAnyValue.encode(resources)),
         .json(JSONAnyValue.encode(network)), .optional(initScript), .optional(cleanupScript),
         .json(JSONAnyValue.encode(array: tunnels)), .json(JSONAnyValue.encode(selector)), .labels(labels), .labels(annotations)]
    }
}

extension APIError {
    /// The built-in profiles (data-model.md §3.3) are read-only: 409 `invalid_state`.
    static func builtinProfileIsReadOnly(_ id: String) -> APIError {
        .invalidState("profile \(id) is built in and read-only; create a profile of your own instead")
    }
}

extension Store {
    func createProfile(_ fields: ProfileFields, id: String, tenantID: String?) async throws -> ProfileRecord {
        let now = now()
        return try await database.transaction(.system) { db in
            // Built-ins (tenant NULL) are visible to every tenant: their names are taken for all.
            try await NamedRowRules.requireUniqueName(
                fields.name, table: "profiles", kind: "profile", tenantID: tenantID, except: nil, shared: "is_builtin", in: db)
            try await Self.checkProviderConfigExists(fields.providerConfigID, in: db)
            let rows = try await db.query(
                """
                INSERT INTO profiles (name, description, provider_config_id, resources, network, init_script, cleanup_script,
                  tunnels, selector, labels, annotations, id, tenant_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                fields.binds + [.text(id), .optional(tenantID), .timestamp(now), .timestamp(now)])
            return try ProfileRecord(row: rows[0])
        }
    }

    public func profile(_ id: String) async throws -> ProfileRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM profiles WHERE id = ?", [.text(id)]).map(ProfileRecord.init)
        }
    }

    public func profiles(providerConfigID: String?, includeBuiltin: Bool, labels: [String: String], page: PageRequest)
        async throws -> Page<ProfileRecord>
    {
        var filter = SQLFilter()
        if let providerConfigID { filter.add("provider_config_id = ?", .text(providerConfigID)) }
        if !includeBuiltin { filter.add("is_builtin = ?", .bool(false)) }
        filter.labels(labels, dialect: dialect)
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "profiles", filter: filter, request: page, decode: ProfileRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Writes `fields` over a profile; built-ins are read-only.
    func updateProfile(_ id: String, _ fields: ProfileFields) async throws -> ProfileRecord {
        let now = now()
        return try await database.transaction(.system) { db in
            let current = try await Self.editableProfile(id, in: db)
            try await NamedRowRules.requireUniqueName(
                fields.name, table: "profiles", kind: "profile", tenantID: current.tenantID, except: id, shared: "is_builtin", in: db)
            try await Self.checkProviderConfigExists(fields.providerConfigID, in: db)
            let rows = try await db.query(
                """
                UPDATE profiles SET name = ?, description = ?, provider_config_id = ?, resources = ?, network = ?, init_script = ?,
                  cleanup_script = ?, tunnels = ?, selector = ?, labels = ?, annotations = ?, updated_at = ?
                WHERE id = ? RETURNING *
                """,
                fields.binds + [.timestamp(now), .text(id)])
            return try ProfileRecord(row: rows[0])
        }
    }

    /// Deletes a profile; sessions and runners that named it keep existing without it (SET NULL).
    func deleteProfile(_ id: String) async throws {
        try await database.transaction(.system) { db in
            _ = try await Self.editableProfile(id, in: db)
            try await db.execute("DELETE FROM profiles WHERE id = ?", [.text(id)])
        }
    }

    private static func editableProfile(_ id: String, in db: any SQLExecutor) async throws -> ProfileRecord {
        guard let current = try await db.first("SELECT * FROM profiles WHERE id = ?", [.text(id)]).map(ProfileRecord.init) else {
            throw APIError.notFound("profile", id)
        }
        guard !current.isBuiltin else { throw APIError.builtinProfileIsReadOnly(id) }
        return current
    }

    private static func checkProviderConfigExists(_ id: String?, in db: any SQLExecutor) async throws {
        guard let id else { return }
        guard try await db.first("SELECT id FROM provider_configs WHERE id = ?", [.text(id)]) != nil else {
            throw APIError.validation("provider config \"\(id)\" not found", field: "provider_config_id")
        }
    }
}
