import Core
import Crypto

/// Webhook signing secrets at rest (auth-security.md §1, §6.2): stored as SHA-256 hex, an 8-char
/// prefix and the secret sealed with the tenant's `secrets/v1` key, bound to `webhook:<id>`.
struct WebhookSecrets: Sendable {
    let keys: DataKeys?

    static func slot(_ webhookID: String) -> String { "webhook:" + webhookID }

    func columns(_ secret: String, webhookID: String, tenantID: String?) async throws -> WebhookSecretColumns {
        guard let keys else { throw EncryptionError.notConfigured.apiError }
        let key = try await keys.tenantKey(tenantID, purpose: .secrets).key
        return WebhookSecretColumns(
            hash: Hex.encode(SHA256.hash(data: Array(secret.utf8))), prefix: String(secret.prefix(8)),
            sealed: try SealedEnvelope.sealText(secret, key: key, slot: Self.slot(webhookID)))
    }

    /// The clear secret to sign a delivery with.
    func open(_ stored: StoredWebhookSecret, webhookID: String) async throws -> String {
        switch stored {
        case .legacy(let secret): return secret
        case .sealed(let sealed, let tenantID):
            guard let keys else { throw EncryptionError.notConfigured }
            let key = try await keys.tenantKey(tenantID, purpose: .secrets).key
            return try SealedEnvelope.openText(sealed, key: key, slot: Self.slot(webhookID))
        }
    }
}
