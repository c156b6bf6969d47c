import Crypto

/// Purpose sub-keys of a tenant DEK (auth-security.md §6.1): HKDF-SHA256 with the DEK as input key
/// material, salt `marionette`, info `cas/v1` | `logs/v1` | `secrets/v1`, 32 bytes. Derived on use.
public enum KeyPurpose: String, Sendable, CaseIterable {
    case cas = "cas/v1"
    case logs = "logs/v1"
    case secrets = "secrets/v1"

    public func derive(from dataKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: dataKey, salt: Array("marionette".utf8), info: Array(rawValue.utf8), outputByteCount: 32)
    }
}
