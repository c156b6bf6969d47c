import Crypto
import Foundation

/// The sealed format used everywhere (auth-security.md §6.1): AES-256-GCM with a fresh random
/// 12-byte nonce, stored as `nonce(12) ‖ ciphertext ‖ tag(16)`, base64 (standard alphabet) in text
/// columns. The associated data binds a ciphertext to its slot (`"<resource_type>:<resource_id>"`),
/// so a value copied into another row does not open. Tampering fails; there is no partial output.
public enum SealedEnvelope {
    static let nonceSize = 12
    static let tagSize = 16

    public static func seal(_ plaintext: some DataProtocol, key: SymmetricKey, slot: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(), authenticating: Array(slot.utf8))
        // `combined` is exactly nonce ‖ ciphertext ‖ tag for the default 12-byte nonce.
        guard let combined = box.combined else { throw EncryptionError.malformed(slot: slot) }
        return Array(combined)
    }

    public static func open(_ sealed: some DataProtocol, key: SymmetricKey, slot: String) throws(EncryptionError) -> [UInt8] {
        guard sealed.count >= nonceSize + tagSize else { throw .malformed(slot: slot) }
        let box: AES.GCM.SealedBox
        do { box = try AES.GCM.SealedBox(combined: sealed) } catch { throw .malformed(slot: slot) }
        do {
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(slot.utf8)))
        } catch {
            throw .authenticationFailed(slot: slot)
        }
    }

    /// Sealed and base64-encoded, for a text column.
    public static func sealText(_ plaintext: String, key: SymmetricKey, slot: String) throws -> String {
        Data(try seal(Array(plaintext.utf8), key: key, slot: slot)).base64EncodedString()
    }

    public static func openText(_ base64: String, key: SymmetricKey, slot: String) throws(EncryptionError) -> String {
        guard let data = Data(base64Encoded: base64) else { throw .malformed(slot: slot) }
        let bytes = try open(data, key: key, slot: slot)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed(slot: slot) }
        return text
    }
}
