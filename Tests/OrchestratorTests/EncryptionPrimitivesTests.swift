import Crypto
import Foundation
import Testing

@testable import Orchestrator

/// The pure parts of encryption at rest (auth-security.md §6.1): KEK parsing, the sealed envelope
/// `nonce ‖ ciphertext ‖ tag` with its slot as associated data, and HKDF purpose keys. Known
/// answers come from Python's `cryptography` and `hmac` modules, an independent implementation.
@Suite struct EncryptionPrimitivesTests {
    static let hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

    @Test func parsesA64HexKeyAndNamesItByItsHashUnlessGivenAnID() throws {
        let kek = try KeyEncryptionKey(hex: Self.hex)
        #expect(kek.key.withUnsafeBytes { Array($0) } == Array(0..<32))
        #expect(kek.id == "sha256:630dcd2966c43366")
        #expect(try KeyEncryptionKey(hex: Self.hex.uppercased()).id == kek.id)
        #expect(try KeyEncryptionKey(hex: " \(Self.hex)\n").id == kek.id)
        #expect(try KeyEncryptionKey(hex: Self.hex, id: "prod-2026").id == "prod-2026")
        #expect(try KeyEncryptionKey(hex: Self.hex, id: "  ").id == kek.id)
    }

    @Test func refusesKeysThatAreNot64HexCharacters() {
        #expect(throws: EncryptionError.invalidKey("it has 62 characters")) { try KeyEncryptionKey(hex: String(Self.hex.dropLast(2))) }
        #expect(throws: EncryptionError.invalidKey("it contains a character that is not hex")) {
            try KeyEncryptionKey(hex: String(Self.hex.dropLast()) + "g")
        }
        let message = String(describing: EncryptionError.invalidKey("it has 3 characters"))
        #expect(message.contains("MARIONETTE_ENCRYPTION_KEY") && message.contains("openssl rand -hex 32"))
    }

    @Test func generatedKeysParseAndDiffer() throws {
        let a = KeyEncryptionKey.generateHex()
        let b = KeyEncryptionKey.generateHex()
        #expect(a.count == 64 && a != b)
        _ = try KeyEncryptionKey(hex: a)
    }

    @Test func sealedValuesAreNonceCiphertextTagAndOpenOnlyWithKeyAndSlot() throws {
        let key = SymmetricKey(data: Array(0..<32) as [UInt8])
        let plaintext = Array("sk-ant-secret".utf8)
        let sealed = try SealedEnvelope.seal(plaintext, key: key, slot: "agent_config:acfg_1")
        #expect(sealed.count == 12 + plaintext.count + 16)
        #expect(try SealedEnvelope.open(sealed, key: key, slot: "agent_config:acfg_1") == plaintext)
        // A fresh nonce each time.
        #expect(try SealedEnvelope.seal(plaintext, key: key, slot: "agent_config:acfg_1") != sealed)
        // Wrong key, another slot, any flipped byte: authentication fails, nothing comes out.
        let other = SymmetricKey(size: .bits256)
        #expect(throws: EncryptionError.authenticationFailed(slot: "agent_config:acfg_1")) {
            try SealedEnvelope.open(sealed, key: other, slot: "agent_config:acfg_1")
        }
        #expect(throws: EncryptionError.authenticationFailed(slot: "agent_config:acfg_2")) {
            try SealedEnvelope.open(sealed, key: key, slot: "agent_config:acfg_2")
        }
        for index in [0, 12, sealed.count - 1] {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: EncryptionError.authenticationFailed(slot: "s")) {
                try SealedEnvelope.open(tampered, key: key, slot: "s")
            }
        }
        #expect(throws: EncryptionError.malformed(slot: "s")) { try SealedEnvelope.open(Array(sealed.prefix(27)), key: key, slot: "s") }
    }

    @Test func textFormIsStandardBase64AndMatchesAnIndependentImplementation() throws {
        let key = SymmetricKey(data: Array(0..<32) as [UInt8])
        // Python: AESGCM(bytes(range(32))).encrypt(bytes(range(100,112)), b"sk-ant-known-answer", b"agent_config:acfg_x")
        let known = "ZGVmZ2hpamtsbW5vO3DzBxede/VQDSiG9wQEjjWndFqRZajg6LAAc+AYpjpudoU="
        #expect(try SealedEnvelope.openText(known, key: key, slot: "agent_config:acfg_x") == "sk-ant-known-answer")
        let text = try SealedEnvelope.sealText("hello", key: key, slot: "webhook:whk_1")
        #expect(Data(base64Encoded: text)?.count == 12 + 5 + 16)
        #expect(try SealedEnvelope.openText(text, key: key, slot: "webhook:whk_1") == "hello")
        #expect(throws: EncryptionError.malformed(slot: "webhook:whk_1")) {
            try SealedEnvelope.openText("not base64!", key: key, slot: "webhook:whk_1")
        }
    }

    @Test func purposeKeysAreHKDFSHA256OfTheTenantKey() {
        let dek = SymmetricKey(data: Array(0..<32) as [UInt8])
        // Python: HMAC-SHA256 extract (salt b"marionette") and one expand block per info.
        let expected: [KeyPurpose: String] = [
            .cas: "57a78a19aa6af009a70f9cedbbd272c0fe8ad165d4c07992e5431164c6408b45",
            .logs: "360fc7e17e73a5344bf040950a33b48311232c0ec75ca3e9fc0a53dcba21b38d",
            .secrets: "4e30c20f846a3823cb2785a1273352b6be38e505f27730b1546324e8234698a6",
        ]
        for purpose in KeyPurpose.allCases {
            #expect(purpose.derive(from: dek).withUnsafeBytes { Hex.encode($0) } == expected[purpose])
        }
    }

    @Test func aDataKeySealedByAnotherKEKNamesBothKeys() throws {
        let old = try KeyEncryptionKey(hex: Self.hex, id: "old")
        let new = try KeyEncryptionKey(hex: KeyEncryptionKey.generateHex(), id: "new")
        let sealed = try SealedEnvelope.seal(Array(repeating: 7, count: 32), key: old.key, slot: "tenant:_")
        let row = StoredDataKey(id: "dek_1", sealed: Data(sealed).base64EncodedString(), kekID: "old")
        #expect(try DataKeys.open(row, kek: old, slot: "tenant:_").key.withUnsafeBytes { Array($0) } == Array(repeating: 7, count: 32))
        do {
            _ = try DataKeys.open(row, kek: new, slot: "tenant:_")
            Issue.record("opened with the wrong KEK")
        } catch {
            #expect(error == .kekMismatch(dataKeyID: "dek_1", storedKEK: "old", configuredKEK: "new"))
            #expect(error.description.contains("\"old\"") && error.description.contains("\"new\""))
            #expect(error.apiError.status == 500)
        }
        // Same id but a different key: the sealed value itself is at fault.
        let sameID = StoredDataKey(id: "dek_1", sealed: row.sealed, kekID: "new")
        #expect(throws: EncryptionError.authenticationFailed(slot: "data key dek_1")) { try DataKeys.open(sameID, kek: new, slot: "tenant:_") }
        #expect(EncryptionError.notConfigured.apiError.status == 503)
        #expect(EncryptionError.notConfigured.apiError.code == "service_unavailable")
        #expect(EncryptionError.notConfigured.apiError.message == "encryption key not configured")
    }
}

/// `<data-dir>/encryption.key` of the embedded mode: made once (0600), then reused; a damaged file
/// stops the start instead of silently minting a new key (which would orphan every sealed value).
@Suite struct EncryptionKeyFileTests {
    @Test func createdOnceThenReusedAndADamagedFileIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ekf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try EncryptionKeyFile.loadOrCreate(dataDir: dir)
        #expect(first.created && first.path == dir + "/encryption.key" && first.hex.count == 64)
        let mode = try FileManager.default.attributesOfItem(atPath: first.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try EncryptionKeyFile.loadOrCreate(dataDir: dir)
        #expect(!again.created && again.hex == first.hex)
        try "not a key\n".write(toFile: first.path, atomically: true, encoding: .utf8)
        #expect(throws: EncryptionKeyFile.InvalidFile.self) { try EncryptionKeyFile.loadOrCreate(dataDir: dir) }
        #expect(try String(contentsOfFile: first.path, encoding: .utf8) == "not a key\n", "never overwritten")
    }
}
