import Core

public struct RunnerTokenRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var tokenPrefix: String
    public var runnerID: String?
    public var poolName: String
    public var tenantID: String?
    public var status: String
    public var rotationDeadline: Timestamp?
    public var labels: [String: String]
    public var createdAt: Timestamp
    public var createdBy: String?
    public var lastUsedAt: Timestamp?
    public var expiresAt: Timestamp?
    public var revokedAt: Timestamp?
    public var revokeReason: String?

    enum CodingKeys: String, CodingKey {
        case id, tokenPrefix = "token_prefix", runnerID = "runner_id", poolName = "pool_name", tenantID = "tenant_id"
        case status, rotationDeadline = "rotation_deadline", labels, createdAt = "created_at", createdBy = "created_by"
        case lastUsedAt = "last_used_at", expiresAt = "expires_at", revokedAt = "revoked_at"
        case revokeReason = "revoke_reason"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        tokenPrefix = try row.requiredString("token_prefix")
        runnerID = row.string("runner_id")
        poolName = try row.requiredString("pool_name")
        tenantID = row.string("tenant_id")
        status = try row.requiredString("status")
        rotationDeadline = row.timestamp("rotation_deadline")
        labels = row.stringMap("labels")
        createdAt = try row.requiredTimestamp("created_at")
        createdBy = row.string("created_by")
        lastUsedAt = row.timestamp("last_used_at")
        expiresAt = row.timestamp("expires_at")
        revokedAt = row.timestamp("revoked_at")
        revokeReason = row.string("revoke_reason")
    }

    /// `expired` is derived when `expires_at` has passed, whatever the column says.
    func effectiveStatus(now: Timestamp) -> String {
        if status == "active" || status == "rotating", let expiry = expiresAt, expiry <= now { return "expired" }
        return status
    }
}

/// `{"token": RunnerToken, "raw_token": "rtok_…"}`: the only response carrying the raw token.
public struct CreatedRunnerToken: Encodable, Sendable {
    public var token: RunnerTokenRecord
    public var rawToken: String
    enum CodingKeys: String, CodingKey { case token, rawToken = "raw_token" }
}

extension Store {
    func insertRunnerToken(
        hash: String, prefix: String, pool: String, tenantID: String?, labels: [String: String],
        createdBy: String?, expiresAt: Timestamp?, runnerID: String? = nil
    ) async throws -> RunnerTokenRecord {
        let now = now()
        let id = newID(.runnerToken, at: now)
        return try await database.transaction(.system) { db in
            let rows = try await db.query(
                """
                INSERT INTO runner_tokens (id, token_hash, token_prefix, hash_version, runner_id, pool_name, status,
                  tenant_id, labels, created_at, created_by, expires_at)
                VALUES (?, ?, ?, 1, ?, ?, 'active', ?, ?, ?, ?, ?) RETURNING *
                """,
                [
                    .text(id), .text(hash), .text(prefix), .optional(runnerID), .text(pool), .optional(tenantID),
                    .labels(labels), .timestamp(now), .optional(createdBy), .optional(expiresAt),
                ])
            return try RunnerTokenRecord(row: rows[0])
        }
    }

    public func runnerToken(_ id: String) async throws -> RunnerTokenRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM runner_tokens WHERE id = ?", [.text(id)]).map(RunnerTokenRecord.init)
        }
    }

    /// Finds a token by its current hash, or by the previous hash while a rotation is open.
    func runnerToken(hash: String) async throws -> (RunnerTokenRecord, usedPrevious: Bool)? {
        try await database.read(.system) { db in
            if let row = try await db.first("SELECT * FROM runner_tokens WHERE token_hash = ?", [.text(hash)]) {
                return (try RunnerTokenRecord(row: row), false)
            }
            if let row = try await db.first(
                "SELECT * FROM runner_tokens WHERE previous_token_hash = ? AND status = 'rotating'", [.text(hash)])
            {
                return (try RunnerTokenRecord(row: row), true)
            }
            return nil
        }
    }

    public func runnerTokens(
        pool: String?, statuses: [String], includeRevoked: Bool, labels: [String: String], page: PageRequest
    ) async throws -> Page<RunnerTokenRecord> {
        var filter = SQLFilter()
        if let pool { filter.add("pool_name = ?", .text(pool)) }
        filter.anyOf("status", statuses)
        if !includeRevoked && !statuses.contains("revoked") { filter.clauses.append("status <> 'revoked'") }
        filter.labels(labels, dialect: dialect)
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "runner_tokens", filter: filter, request: page, decode: RunnerTokenRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    func updateRunnerToken(_ id: String, _ changes: [(String, SQLValue)]) async throws {
        try await database.transaction(.system) { db in
            try await db.execute(
                "UPDATE runner_tokens SET \(changes.map { "\($0.0) = ?" }.joined(separator: ", ")) WHERE id = ?",
                changes.map(\.1) + [.text(id)])
        }
    }
}
