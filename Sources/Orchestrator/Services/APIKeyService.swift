import Core
import Foundation
import Logging

/// API key administration and the first-start bootstrap (auth-security.md §3).
public struct APIKeyService: Sendable {
    public let store: Store
    public let multiTenant: Bool

    public init(store: Store, multiTenant: Bool) {
        self.store = store
        self.multiTenant = multiTenant
    }

    public func create(_ request: CreateAPIKeyRequest, createdBy: String?) async throws -> CreatedAPIKey {
        guard let name = request.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw APIError.required("name")
        }
        try Validate.maxLength(name, 255, field: "name")
        let scopes = request.scopes ?? []
        for scope in scopes where !Scope.isValid(scope) {
            throw APIError.validation(
                "unknown scope \"\(scope.prefix(64))\"; use *, <resource>:* or one of \(Scope.known.joined(separator: ", "))",
                field: "scopes")
        }
        if multiTenant && (request.tenantID ?? "").isEmpty {
            throw APIError.validation("tenant_id is required in multi-tenant mode", field: "tenant_id")
        }
        if let expiry = request.expiresAt, expiry <= store.clock.now() {
            throw APIError.validation("expires_at must be in the future", field: "expires_at")
        }
        let labels = request.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? [:]
        try Labels.validateAnnotations(annotations)
        let token = Tokens.mint(.apiKey)
        let record = try await store.insertAPIKey(
            NewAPIKey(
                name: name, hash: token.hash, prefix: token.displayPrefix, scopes: scopes,
                tenantID: multiTenant ? request.tenantID : nil, labels: labels, annotations: annotations,
                createdBy: createdBy, expiresAt: request.expiresAt))
        await store.recordAudit(
            AuditEntry(action: "api_key.created", resourceType: "api_key", resourceID: record.id, details: ["name": .string(name)]))
        return CreatedAPIKey(key: record, rawToken: token.raw)
    }

    public func get(_ id: String) async throws -> APIKeyRecord {
        guard let key = try await store.apiKey(id) else { throw APIError.notFound("api key", id) }
        return key
    }

    public func revoke(_ id: String, reason: String?) async throws {
        try await store.revokeAPIKey(id, reason: reason)
        await store.recordAudit(
            AuditEntry(action: "api_key.revoked", resourceType: "api_key", resourceID: id, details: reason.map { ["reason": .string($0)] } ?? [:]))
    }

    /// When the store holds no API key, creates `bootstrap` with scope `*` and writes the raw key to
    /// `<dataDir>/bootstrap-api-key` (0600). Returns the file path when it did so; never logs the key.
    public func bootstrapIfEmpty(dataDir: String) async throws -> String? {
        guard try await store.apiKeyCount() == 0 else { return nil }
        let created = try await create(
            CreateAPIKeyRequest(name: "bootstrap", scopes: ["*"]), createdBy: "system")
        let path = dataDir + "/bootstrap-api-key"
        try SecretFile.write(created.rawToken + "\n", to: path)
        return path
    }
}

/// Writes secret files with mode 0600 from the start (no window where they are world-readable).
public enum SecretFile {
    public static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else {
            throw DatabaseError.engine("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw DatabaseError.engine("cannot write \(path): \(String(cString: strerror(errno)))") }
            written += n
        }
    }

    public static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
