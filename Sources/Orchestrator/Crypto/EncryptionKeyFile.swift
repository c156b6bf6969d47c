import Foundation

/// The embedded single-node mode's KEK (auth-security.md §6.2): when no
/// `MARIONETTE_ENCRYPTION_KEY` is set, `<data-dir>/encryption.key` (mode 0600) holds one, made on
/// first start. Losing the file makes managed keys and webhook secrets unreadable: back it up
/// with the database.
public enum EncryptionKeyFile {
    public struct Loaded: Sendable {
        public let hex: String
        public let path: String
        public let created: Bool
    }

    public struct InvalidFile: Error, CustomStringConvertible {
        public let path: String
        public let reason: EncryptionError
        public var description: String {
            "\(path) does not hold a valid encryption key (\(reason)); restore the file from a backup, "
                + "or set MARIONETTE_ENCRYPTION_KEY to the key it held"
        }
    }

    public static func loadOrCreate(dataDir: String) throws -> Loaded {
        let path = dataDir + "/encryption.key"
        if let existing = SecretFile.read(path), !existing.isEmpty {
            do { _ = try KeyEncryptionKey(hex: existing) } catch { throw InvalidFile(path: path, reason: error) }
            return Loaded(hex: existing, path: path, created: false)
        }
        let hex = KeyEncryptionKey.generateHex()
        try SecretFile.write(hex + "\n", to: path)
        return Loaded(hex: hex, path: path, created: true)
    }
}
