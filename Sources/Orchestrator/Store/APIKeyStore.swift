import Core

struct NewAPIKey: Sendable {
    var name: String
    var hash: String
    var prefix: String
    var scopes: [String]
    var tenantID: String?
    var labels: [String: String]
    var annotations: [String: String]
    var createdBy: String?
    var expiresAt: Timestamp?
}

/// What authentication needs of a key, looked up by hash.
struct StoredKey: Sendable {
    var id: String
    var hash: String
    var scopes: [String]
    var tenantID: String?
    var revoked: Bool
    var expiresAt: Timestamp?
    var lastUsedAt: Timestamp?
}

extension Store {
    func insertAPIKey(_ new: NewAPIKey) async throws -> APIKeyRecord {
        let now = now()
        let id = newID(.apiKey, at: now)
        return try await database.transaction(.system) { db in
            let rows = try await db.query(
                """
                INSERT INTO api_keys (id, name, key_hash, key_prefix, hash_version, scopes, tenant_id, labels,
                  annotations, created_at, created_by, expires_at)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [
                    .text(id), .text(new.name), .text(new.hash), .text(new.prefix), .textArray(new.scopes),
                    .optional(new.tenantID), .labels(new.labels), .labels(new.annotations), .timestamp(now),
                    .optional(new.createdBy), .optional(new.expiresAt),
                ])
            return try APIKeyRecord(row: rows[0])
        }
    }

    func storedKey(hash: String) async throws -> StoredKey? {
        try await database.read(.system) { db in
            guard
                let row = try await db.first(
                    "SELECT id, key_hash, scopes, tenant_id, revoked_at, expires_at, last_used_at FROM api_keys WHERE key_hash = ?",
                    [.text(hash)])
            else { return nil }
            return StoredKey(
                id: try row.requiredString("id"), hash: try row.requiredString("key_hash"),
                scopes: row.stringArray("scopes"), tenantID: row.string("tenant_id"),
                revoked: row.timestamp("revoked_at") != nil, expiresAt: row.timestamp("expires_at"),
                lastUsedAt: row.timestamp("last_used_at"))
        }
    }

    func touchAPIKey(_ id: String, at time: Timestamp) async throws {
        try await database.transaction(.system) { db in
            try await db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [.timestamp(time), .text(id)])
        }
    }

    public func apiKeyCount() async throws -> Int64 {
        try await database.read(.system) { db in
            try await db.first("SELECT COUNT(*) AS n FROM api_keys")?.int64("n") ?? 0
        }
    }

    public func apiKey(_ id: String) async throws -> APIKeyRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM api_keys WHERE id = ?", [.text(id)]).map(APIKeyRecord.init)
        }
    }

    public func apiKeys(labels: [String: String], includeRevoked: Bool, page: PageRequest) async throws
        -> Page<APIKeyRecord>
    {
        var filter = SQLFilter()
        if !includeRevoked { filter.clauses.append("revoked_at IS NULL") }
        filter.labels(labels, dialect: dialect)
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "api_keys", filter: filter, request: page, decode: APIKeyRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    func revokeAPIKey(_ id: String, reason: String?) async throws {
        let now = now()
        try await database.transaction(.system) { db in
            guard let row = try await db.first("SELECT revoked_at FROM api_keys WHERE id = ?", [.text(id)]) else {
                throw APIError.notFound("api key", id)
            }
            guard row.timestamp("revoked_at") == nil else { return }
            try await db.execute(
                "UPDATE api_keys SET revoked_at = ?, revoke_reason = ? WHERE id = ?",
                [.timestamp(now), .optional(reason), .text(id)])
        }
    }
}
