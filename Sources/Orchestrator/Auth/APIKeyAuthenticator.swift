import Core
import Logging
import Synchronization

/// The identity a verified API key carries into every handler.
public struct Principal: Sendable, Equatable {
    public var keyID: String
    public var scopes: [String]
    public var tenantID: String?
    /// The admin listener's caller on the forwarded `/api/v1` routes: every scope, every tenant.
    public private(set) var isSystem = false

    public init(keyID: String, scopes: [String], tenantID: String?) {
        self.keyID = keyID
        self.scopes = scopes
        self.tenantID = tenantID
    }

    /// An admin (Basic or master key) calling the public API through the admin origin (api.md §13.1:
    /// admin requests run with cross-tenant system access). `actor` stands where a key id would.
    public static func system(actor: String) -> Principal {
        var principal = Principal(keyID: actor, scopes: [Scope.all], tenantID: nil)
        principal.isSystem = true
        return principal
    }

    /// The store scope of this principal's requests.
    public func scope(multiTenant: Bool) -> TenantScope {
        if isSystem { return .system }
        guard multiTenant else { return .single }
        // In multi-tenant mode a key always has a tenant; a key without one sees nothing.
        return .tenant(tenantID ?? "\u{0}")
    }

    public func require(_ scope: String) throws(APIError) {
        guard Scope.grants(scopes, scope) else { throw .forbidden(scope: scope) }
    }
}

/// Verifies `mk_` keys: prefix → length → hash lookup → revoked → expired (api.md §1.3), with a
/// short cache (≤ 5 s, under the spec's 10 s) so the hot path does not hit the store per request.
public final class APIKeyAuthenticator: Sendable {
    private let store: Store
    private let logger: Logger
    private let cache = Mutex<[String: (StoredKey, Timestamp)]>([:])
    private let touched = Mutex<[String: Timestamp]>([:])
    static let cacheMilliseconds: Int64 = 5000

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func authenticate(_ token: String) async throws(APIError) -> Principal {
        try Tokens.checkFormat(token, expected: .apiKey)
        let hash = Tokens.hash(token)
        let now = store.clock.now()
        var key = cache.withLock { entries -> StoredKey? in
            guard let (key, at) = entries[hash], now.milliseconds - at.milliseconds < Self.cacheMilliseconds else {
                return nil
            }
            return key
        }
        if key == nil {
            do {
                key = try await store.storedKey(hash: hash)
            } catch {
                logger.error("api key lookup failed", metadata: ["error": "\(error)"])
                throw APIError(status: 500, code: "auth_error", message: "authentication failed; retry later")
            }
            if let found = key {
                cache.withLock { entries in
                    if entries.count > 10_000 { entries.removeAll() }
                    entries[hash] = (found, now)
                }
            }
        }
        guard let key, Tokens.constantTimeEquals(key.hash, hash) else {
            throw .unauthenticated("token_not_found", "API key not recognised; check the key or create a new one")
        }
        guard !key.revoked else { throw .unauthenticated("token_revoked", "API key has been revoked") }
        if let expiry = key.expiresAt, expiry <= now {
            throw .unauthenticated("token_expired", "API key expired at \(expiry.rfc3339)")
        }
        touch(key, now: now)
        return Principal(keyID: key.id, scopes: key.scopes, tenantID: key.tenantID)
    }

    /// Drops cached entries so a revocation takes effect at once on this replica.
    public func invalidate() {
        cache.withLock { $0.removeAll() }
    }

    /// `last_used_at`, at most once a minute per key, off the request path.
    private func touch(_ key: StoredKey, now: Timestamp) {
        let due = touched.withLock { map -> Bool in
            let last = map[key.id] ?? key.lastUsedAt ?? Timestamp(milliseconds: 0)
            guard now.milliseconds - last.milliseconds >= 60_000 else { return false }
            map[key.id] = now
            return true
        }
        guard due else { return }
        let store = self.store
        let logger = self.logger
        Task {
            do { try await store.touchAPIKey(key.id, at: now) } catch {
                logger.warning("could not update last_used_at", metadata: ["key_id": "\(key.id)"])
            }
        }
    }
}
