import Crypto

/// The two STUN integrity mechanisms, shared by the verifier and the builder so that both
/// compute exactly the same bytes.
public enum STUNIntegrity {
    /// FINGERPRINT is the CRC-32 XORed with this constant ("STUN" in ASCII) so that it differs
    /// from CRC-32s computed by other protocols over the same bytes (RFC 8489 §14.7).
    public static let fingerprintXOR: UInt32 = 0x5354_554E

    /// The HMAC key for short-term credentials (RFC 8489 §9.1.1): the password bytes.
    ///
    /// RFC 8489 applies the OpaqueString profile; ICE passwords are drawn from the ASCII
    /// ice-char set, for which that profile is the identity, so the UTF-8 bytes are used as is.
    public static func shortTermKey(password: String) -> [UInt8] {
        Array(password.utf8)
    }

    /// HMAC-SHA1 over `prefix` (a message cut just before its MESSAGE-INTEGRITY attribute) with
    /// the header's length field replaced by `lengthField`, as RFC 8489 §14.5 prescribes.
    /// `prefix.count` must be at least 20.
    static func hmacSHA1(key: [UInt8], prefix: UnsafeRawBufferPointer, lengthField: UInt16) -> [UInt8] {
        var hmac = HMAC<Insecure.SHA1>(key: SymmetricKey(data: key))
        hmac.update(data: UnsafeRawBufferPointer(rebasing: prefix[0..<2]))
        withUnsafeBytes(of: lengthField.bigEndian) { hmac.update(data: $0) }
        hmac.update(data: UnsafeRawBufferPointer(rebasing: prefix[4...]))
        return Array(hmac.finalize())
    }

    /// FINGERPRINT value over `prefix` (a message cut just before FINGERPRINT) with the length
    /// field replaced by `lengthField`. `prefix.count` must be at least 20.
    static func fingerprint(prefix: UnsafeRawBufferPointer, lengthField: UInt16) -> UInt32 {
        var crc = STUNCRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: prefix[0..<2]))
        withUnsafeBytes(of: lengthField.bigEndian) { crc.update($0) }
        crc.update(UnsafeRawBufferPointer(rebasing: prefix[4...]))
        return crc.value ^ fingerprintXOR
    }

    /// Compares without an early exit so timing does not reveal how many MAC bytes matched.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}

extension STUNMessage {
    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1) with a short-term password.
    ///
    /// Returns false when the attribute is missing. Attributes after MESSAGE-INTEGRITY are not
    /// covered, per RFC 8489 §14.5; the typed accessors on `STUNMessage` ignore them too.
    public func verifyMessageIntegrity(password: String) -> Bool {
        verifyMessageIntegrity(key: STUNIntegrity.shortTermKey(password: password))
    }

    /// Checks MESSAGE-INTEGRITY with a ready-made HMAC key (e.g. a long-term credential key).
    public func verifyMessageIntegrity(key: [UInt8]) -> Bool {
        guard let index = attributes.firstIndex(where: { $0.type == .messageIntegrity }),
            case .messageIntegrity(let received) = attributes[index]
        else { return false }
        let offset = attributeOffsets[index]
        guard offset >= 20, offset <= wire.count else { return false }
        // The length field must count the message up to and including MESSAGE-INTEGRITY.
        let lengthField = UInt16(truncatingIfNeeded: offset - 20 + 24)
        let expected = wire.withUnsafeBytes { buffer in
            STUNIntegrity.hmacSHA1(
                key: key, prefix: UnsafeRawBufferPointer(rebasing: buffer[0..<offset]), lengthField: lengthField)
        }
        return STUNIntegrity.constantTimeEqual(expected, received)
    }

    /// Checks FINGERPRINT. Returns false when the attribute is missing.
    public func verifyFingerprint() -> Bool {
        guard let index = attributes.firstIndex(where: { $0.type == .fingerprint }),
            case .fingerprint(let received) = attributes[index]
        else { return false }
        let offset = attributeOffsets[index]
        guard offset >= 20, offset <= wire.count else { return false }
        let lengthField = UInt16(truncatingIfNeeded: offset - 20 + 8)
        let expected = wire.withUnsafeBytes { buffer in
            STUNIntegrity.fingerprint(prefix: UnsafeRawBufferPointer(rebasing: buffer[0..<offset]), lengthField: lengthField)
        }
        return expected == received
    }
}
