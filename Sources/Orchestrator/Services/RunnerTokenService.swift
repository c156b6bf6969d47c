import Core
import Foundation

public struct CreateRunnerTokenRequest: Decodable, Sendable {
    public var poolName: String?
    public var tenantID: String?
    public var labels: [String: String]?
    public var expiresAt: Timestamp?

    public init(poolName: String?) { self.poolName = poolName }

    enum CodingKeys: String, CodingKey {
        case poolName = "pool_name", tenantID = "tenant_id", labels, expiresAt = "expires_at"
    }
}

public struct RotateRunnerTokenRequest: Decodable, Sendable {
    public var rotationWindowSeconds: Int?
    enum CodingKeys: String, CodingKey { case rotationWindowSeconds = "rotation_window_seconds" }
}

/// Runner tokens (auth-security.md §7): pools, binding to the first runner, rotation, revocation.
public struct RunnerTokenService: Sendable {
    public let store: Store
    public let multiTenant: Bool

    public init(store: Store, multiTenant: Bool) {
        self.store = store
        self.multiTenant = multiTenant
    }

    public func create(_ request: CreateRunnerTokenRequest, createdBy: String?, runnerID: String? = nil) async throws
        -> CreatedRunnerToken
    {
        guard let pool = request.poolName?.trimmingCharacters(in: .whitespaces), !pool.isEmpty else {
            throw APIError.required("pool_name")
        }
        try Validate.maxLength(pool, 128, field: "pool_name")
        if multiTenant && (request.tenantID ?? "").isEmpty {
            throw APIError.validation("tenant_id is required in multi-tenant mode", field: "tenant_id")
        }
        if let expiry = request.expiresAt, expiry <= store.clock.now() {
            throw APIError.validation("expires_at must be in the future", field: "expires_at")
        }
        let labels = request.labels ?? [:]
        try Labels.validate(labels)
        let minted = Tokens.mint(.runner)
        let record = try await store.insertRunnerToken(
            hash: minted.hash, prefix: minted.displayPrefix, pool: pool, tenantID: multiTenant ? request.tenantID : nil,
            labels: labels, createdBy: createdBy, expiresAt: request.expiresAt, runnerID: runnerID)
        await store.recordAudit(
            AuditEntry(action: "runner_token.created", resourceType: "runner_token", resourceID: record.id, details: ["pool_name": .string(pool)]))
        return CreatedRunnerToken(token: record, rawToken: minted.raw)
    }

    public func get(_ id: String) async throws -> RunnerTokenRecord {
        guard var token = try await store.runnerToken(id) else { throw APIError.notFound("runner token", id) }
        token.status = token.effectiveStatus(now: store.clock.now())
        return token
    }

    public func revoke(_ id: String, reason: String?) async throws {
        let token = try await get(id)
        guard token.status != "revoked" else { return }
        try await store.updateRunnerToken(
            id, [("status", .text("revoked")), ("revoked_at", .timestamp(store.clock.now())), ("revoke_reason", .optional(reason))])
        await store.recordAudit(AuditEntry(action: "runner_token.revoked", resourceType: "runner_token", resourceID: id))
    }

    public func rotate(_ id: String, windowSeconds: Int?) async throws -> CreatedRunnerToken {
        let token = try await get(id)
        guard token.status == "active" else {
            throw APIError.invalidState("runner token \(id) is \(token.status); only active tokens can be rotated")
        }
        let window = windowSeconds ?? 3600
        guard (0...604_800).contains(window) else {
            throw APIError.validation("rotation_window_seconds must be 0..604800", field: "rotation_window_seconds")
        }
        guard let current = try await store.database.read(.system, { db in
            try await db.first("SELECT token_hash FROM runner_tokens WHERE id = ?", [.text(id)])?.string("token_hash")
        }) else { throw APIError.notFound("runner token", id) }
        let minted = Tokens.mint(.runner)
        try await store.updateRunnerToken(
            id,
            [
                ("token_hash", .text(minted.hash)), ("token_prefix", .text(minted.displayPrefix)),
                ("previous_token_hash", .text(current)), ("status", .text("rotating")),
                ("rotation_deadline", .timestamp(store.clock.now().adding(seconds: Int64(window)))),
            ])
        await store.recordAudit(AuditEntry(action: "runner_token.rotated", resourceType: "runner_token", resourceID: id))
        return CreatedRunnerToken(token: try await get(id), rawToken: minted.raw)
    }

    /// Validates a raw runner token for the fabric: prefix → length → hash (current or previous
    /// during rotation) → revoked → expired. Completes a rotation when the new token is used.
    public func authenticate(_ raw: String) async throws -> RunnerTokenRecord {
        do {
            try Tokens.checkFormat(raw, expected: .runner)
        } catch {
            throw FabricAuthError.unauthenticated("invalid runner token format")
        }
        guard let (token, usedPrevious) = try await store.runnerToken(hash: Tokens.hash(raw)) else {
            throw FabricAuthError.unauthenticated("runner token not recognised")
        }
        let now = store.clock.now()
        switch token.effectiveStatus(now: now) {
        case "revoked": throw FabricAuthError.unauthenticated("runner token has been revoked")
        case "expired": throw FabricAuthError.unauthenticated("runner token has expired")
        default: break
        }
        if usedPrevious, let deadline = token.rotationDeadline, deadline <= now {
            throw FabricAuthError.unauthenticated("runner token was rotated; use the new token")
        }
        var changes: [(String, SQLValue)] = []
        if token.status == "rotating" && !usedPrevious {
            changes += [("status", .text("active")), ("previous_token_hash", .null), ("rotation_deadline", .null)]
        }
        if now.milliseconds - (token.lastUsedAt?.milliseconds ?? 0) > 60_000 {
            changes.append(("last_used_at", .timestamp(now)))
        }
        if !changes.isEmpty { try await store.updateRunnerToken(token.id, changes) }
        return token
    }
}

/// Fabric authentication outcomes, mapped to gRPC status codes by the fabric server.
public enum FabricAuthError: Error, Equatable, CustomStringConvertible {
    case unauthenticated(String)
    case permissionDenied(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .unauthenticated(let m), .permissionDenied(let m), .notFound(let m): return m
        }
    }
}
