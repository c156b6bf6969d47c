import Core

/// What the stream-token check needs about one `stream_tokens` row and its stream.
struct StoredStreamToken: Sendable {
    var id: String
    var streamID: String
    var hash: String
    var role: String
    var expiresAt: Timestamp
    var revokedAt: Timestamp?
    var streamState: String
}

extension Store {
    static func insertStreamToken(
        _ token: NewStreamToken, streamID: String, tenant: SQLValue, now: Timestamp, in db: any SQLExecutor
    ) async throws {
        try await db.execute(
            """
            INSERT INTO stream_tokens (id, stream_id, token_hash, token_prefix, hash_version, role, tenant_id,
              created_at, created_by, expires_at)
            VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
            """,
            [
                .text(ID.make(.streamToken, milliseconds: now.milliseconds)), .text(streamID), .text(token.minted.hash),
                .text(token.minted.displayPrefix), .text(token.role), tenant, .timestamp(now),
                .optional(token.createdBy), .timestamp(token.expiresAt),
            ])
    }

    /// Mints a token for a live stream of the caller's tenant. Final streams take no new tokens.
    func addStreamToken(_ token: NewStreamToken, streamID: String, scope: TenantScope) async throws {
        let now = now()
        try await database.transaction(scope) { db in
            guard let stream = try await Self.stream(streamID, scope: scope, in: db) else {
                throw APIError.notFound("stream", streamID)
            }
            guard !stream.machineState.isFinal else {
                throw APIError.invalidState("stream \(streamID) is \(stream.state); tokens can only be minted for live streams")
            }
            try await Self.insertStreamToken(
                token, streamID: streamID, tenant: .optional(stream.tenantID), now: now, in: db)
        }
    }

    /// Looks a token up by hash across tenants: the token itself is the credential.
    func storedStreamToken(hash: String) async throws -> StoredStreamToken? {
        try await database.read(.system) { db in
            guard let row = try await db.first(
                """
                SELECT t.id, t.stream_id, t.token_hash, t.role, t.expires_at, t.revoked_at, s.state AS stream_state
                FROM stream_tokens t JOIN streams s ON s.id = t.stream_id WHERE t.token_hash = ?
                """,
                [.text(hash)])
            else { return nil }
            return StoredStreamToken(
                id: try row.requiredString("id"), streamID: try row.requiredString("stream_id"),
                hash: try row.requiredString("token_hash"), role: try row.requiredString("role"),
                expiresAt: try row.requiredTimestamp("expires_at"), revokedAt: row.timestamp("revoked_at"),
                streamState: try row.requiredString("stream_state"))
        }
    }

    func touchStreamToken(_ id: String, at time: Timestamp) async throws {
        try await database.transaction(.system) { db in
            try await db.execute("UPDATE stream_tokens SET last_used_at = ? WHERE id = ?", [.timestamp(time), .text(id)])
        }
    }
}
