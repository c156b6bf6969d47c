import Core

/// What can go wrong with encryption at rest (auth-security.md §6). Messages say what to do and
/// never contain key material or plaintext.
public enum EncryptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No KEK: `MARIONETTE_ENCRYPTION_KEY` is unset (and no `<data-dir>/encryption.key` was made).
    case notConfigured
    /// `MARIONETTE_ENCRYPTION_KEY` is not 64 hex characters.
    case invalidKey(String)
    /// Stored text that is not base64 of `nonce ‖ ciphertext ‖ tag`.
    case malformed(slot: String)
    /// The tag did not verify: wrong key, or the ciphertext or its slot was changed.
    case authenticationFailed(slot: String)
    /// A data key sealed by another KEK than the configured one.
    case kekMismatch(dataKeyID: String, storedKEK: String, configuredKEK: String)

    /// The reason of ``invalidKey`` (empty for the other cases).
    public var reason: String {
        if case .invalidKey(let reason) = self { return reason }
        return ""
    }

    public var description: String {
        switch self {
        case .notConfigured:
            return "encryption key not configured; set MARIONETTE_ENCRYPTION_KEY to 64 hex characters (openssl rand -hex 32)"
        case .invalidKey(let reason):
            return "MARIONETTE_ENCRYPTION_KEY is invalid: \(reason); it must be 64 hex characters (openssl rand -hex 32)"
        case .malformed(let slot):
            return "the sealed value of \(slot) is malformed (not base64 of nonce, ciphertext and tag)"
        case .authenticationFailed(let slot):
            return "cannot decrypt \(slot): wrong key or the stored value was altered"
        case .kekMismatch(let id, let stored, let configured):
            return "data key \(id) was sealed by key encryption key \"\(stored)\" but the configured key is \"\(configured)\" "
                + "and cannot open it; start with the MARIONETTE_ENCRYPTION_KEY (and MARIONETTE_ENCRYPTION_KEY_ID) that sealed it, "
                + "or set that key as MARIONETTE_ENCRYPTION_KEY_PREVIOUS to re-wrap the data keys under the new one"
        }
    }

    /// The HTTP answer: a missing key is 503 `service_unavailable` (api.md, auth-security.md §6.2);
    /// anything else is an internal error whose cause goes to the server log.
    public var apiError: APIError {
        switch self {
        case .notConfigured: return .serviceUnavailable("encryption key not configured")
        default: return .internalError
        }
    }
}
