import Core

/// A `data_keys` row (data-model.md §3.13): a DEK sealed by the KEK.
struct StoredDataKey: Sendable {
    let id: String
    let sealed: String
    let kekID: String?
    var resourceType = ""
    var resourceID = ""
}

extension Store {
    /// The data key of a resource; nil when it has none yet. Other store errors propagate, so a
    /// failing read never leads to a second key being minted.
    func dataKey(resourceType: String, resourceID: String) async throws -> StoredDataKey? {
        try await database.read(.system) { db in
            try await db.first(
                "SELECT id, dek_encrypted, kek_id FROM data_keys WHERE resource_type = ? AND resource_id = ?",
                [.text(resourceType), .text(resourceID)]
            ).map(Self.storedDataKey)
        }
    }

    /// Inserts a data key unless the resource has one; returns the row that won (another process
    /// may have inserted first: its key is adopted, never replaced).
    func insertDataKey(
        resourceType: String, resourceID: String, sealed: String, kekID: String, tenantID: String?
    ) async throws -> StoredDataKey {
        let now = now()
        let id = newID(.dataKey, at: now)
        return try await database.transaction(.system) { db in
            try await db.execute(
                """
                INSERT INTO data_keys (id, resource_type, resource_id, dek_encrypted, algorithm, kek_id, tenant_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'AES-256-GCM', ?, ?, ?, ?) ON CONFLICT (resource_type, resource_id) DO NOTHING
                """,
                [.text(id), .text(resourceType), .text(resourceID), .text(sealed), .text(kekID), .optional(tenantID),
                 .timestamp(now), .timestamp(now)])
            guard
                let row = try await db.first(
                    "SELECT id, dek_encrypted, kek_id FROM data_keys WHERE resource_type = ? AND resource_id = ?",
                    [.text(resourceType), .text(resourceID)])
            else { throw DatabaseError.engine("data key of \(resourceType)/\(resourceID) vanished after insert") }
            return Self.storedDataKey(row)
        }
    }

    /// Every data key (for re-wrapping under a new KEK).
    func allDataKeys() async throws -> [StoredDataKey] {
        try await database.read(.system) { db in
            try await db.query("SELECT id, resource_type, resource_id, dek_encrypted, kek_id FROM data_keys ORDER BY id", []).map { row in
                var key = Self.storedDataKey(row)
                key.resourceType = row.string("resource_type") ?? ""
                key.resourceID = row.string("resource_id") ?? ""
                return key
            }
        }
    }

    /// Replaces a data key's sealed form, unless another process changed it since it was read.
    /// Returns whether this call wrote it.
    func rewrapDataKey(_ current: StoredDataKey, sealed: String, kekID: String) async throws -> Bool {
        let now = now()
        return try await database.transaction(.system) { db in
            !(try await db.query(
                """
                UPDATE data_keys SET dek_encrypted = ?, kek_id = ?, rotated_at = ?, updated_at = ?
                WHERE id = ? AND dek_encrypted = ? RETURNING id
                """,
                [.text(sealed), .text(kekID), .timestamp(now), .timestamp(now), .text(current.id), .text(current.sealed)]).isEmpty)
        }
    }

    func deleteDataKey(resourceType: String, resourceID: String) async throws {
        try await database.transaction(.system) { db in
            try await db.execute(
                "DELETE FROM data_keys WHERE resource_type = ? AND resource_id = ?", [.text(resourceType), .text(resourceID)])
        }
    }

    private static func storedDataKey(_ row: SQLRow) -> StoredDataKey {
        StoredDataKey(id: row.string("id") ?? "", sealed: row.string("dek_encrypted") ?? "", kekID: row.string("kek_id"))
    }
}
