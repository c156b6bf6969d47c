import Core
import Synchronization

/// Writes `auth.failed` audit rows for rejected credentials, at most one per client address,
/// listener and window (``AuthFailureLimiter``). Rows name the listener, route and error code and how many
/// failures of that address were left out since its last row; never any part of the credential.
public final class AuthFailureAuditor: Sendable {
    private let store: Store
    private let limiter: Mutex<AuthFailureLimiter>

    public init(store: Store, limiter: AuthFailureLimiter = AuthFailureLimiter()) {
        self.store = store
        self.limiter = Mutex(limiter)
    }

    /// `actorType` is `api_key` on the public API and `user` on the admin API (who was trying).
    public func failed(
        actorType: String, address: String?, userAgent: String?, method: String, path: String, code: String
    ) async {
        let now = store.clock.now().milliseconds
        let decision = limiter.withLock { $0.failure(from: "\(actorType) \(address ?? "")", at: now) }
        guard decision.record else { return }
        var details: [String: MetadataValue] = [
            "method": .string(method), "path": .string(String(path.prefix(512))), "code": .string(code),
        ]
        if decision.suppressed > 0 { details["suppressed_failures"] = .int(Int64(decision.suppressed)) }
        await store.recordAudit(
            AuditEntry(
                action: "auth.failed", resourceType: "auth", resourceID: "", details: details, success: false,
                errorMessage: code),
            actor: AuditActor(type: actorType, ipAddress: address, userAgent: userAgent))
    }
}
