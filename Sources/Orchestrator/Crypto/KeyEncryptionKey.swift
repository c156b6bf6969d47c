import Crypto
import Foundation

/// The KEK (auth-security.md §6.1): 32 bytes from `MARIONETTE_ENCRYPTION_KEY` (64 hex characters),
/// never stored. Its id goes into `data_keys.kek_id`: `MARIONETTE_ENCRYPTION_KEY_ID` when set, else
/// `sha256:` and the first 16 hex digits of the key's SHA-256, so a different key is recognised
/// without storing anything that helps guess it.
public struct KeyEncryptionKey: Sendable {
    private let material: KeyMaterial
    public let id: String
    public var key: SymmetricKey { material.key }

    public init(hex: String, id: String? = nil) throws(EncryptionError) {
        let text = hex.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 64 else { throw .invalidKey("it has \(text.utf8.count) characters") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8?
        for char in text.utf8 {
            guard let nibble = Self.nibble(char) else { throw .invalidKey("it contains a character that is not hex") }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        self.material = KeyMaterial(SymmetricKey(data: bytes))
        if let id, !id.trimmingCharacters(in: .whitespaces).isEmpty {
            self.id = id.trimmingCharacters(in: .whitespaces)
        } else {
            self.id = "sha256:" + String(Hex.encode(SHA256.hash(data: bytes)).prefix(16))
        }
    }

    /// A new random key as 64 lowercase hex characters (the embedded mode's `encryption.key`).
    public static func generateHex() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Hex.encode($0) }
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return char - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
