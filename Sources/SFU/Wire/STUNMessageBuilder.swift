/// Serializes a STUN message attribute by attribute, keeping the header's length field
/// current after every append so MESSAGE-INTEGRITY and FINGERPRINT can be computed in place.
///
/// Messages are limited to 64 KiB by the 16-bit length field; exceeding it is a programming
/// error (parsed input can never exceed it, as it fit in the same field on the way in).
public struct STUNMessageBuilder: Sendable {
    /// Written into the header and used to XOR IPv6 addresses.
    public let transactionID: STUNTransactionID
    /// The message so far; always a complete, well-formed message.
    public private(set) var bytes: [UInt8]

    public init(
        messageClass: STUNMessageClass,
        method: STUNMethod = .binding,
        transactionID: STUNTransactionID,
        reservingCapacity capacity: Int = 128
    ) {
        self.transactionID = transactionID
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(capacity, STUNMessage.headerSize))
        STUNBytes.appendUInt16(STUNMessageType.encode(messageClass: messageClass, method: method), to: &bytes)
        STUNBytes.appendUInt16(0, to: &bytes)
        STUNBytes.appendUInt32(STUNMessage.magicCookie, to: &bytes)
        STUNBytes.appendUInt32(transactionID.high, to: &bytes)
        STUNBytes.appendUInt32(transactionID.middle, to: &bytes)
        STUNBytes.appendUInt32(transactionID.low, to: &bytes)
        self.bytes = bytes
    }

    /// Appends an attribute with zero padding.
    public mutating func append(_ attribute: STUNAttribute) {
        append(attribute, padding: [])
    }

    /// Appends an attribute; padding bytes come from `padding` when it has exactly the needed
    /// count (to reproduce received messages), zeros otherwise.
    mutating func append(_ attribute: STUNAttribute, padding: ArraySlice<UInt8>) {
        let start = bytes.count
        STUNBytes.appendUInt16(attribute.type.rawValue, to: &bytes)
        STUNBytes.appendUInt16(0, to: &bytes)
        attribute.appendValue(to: &bytes, transactionID: transactionID)
        let valueLength = bytes.count - start - 4
        precondition(valueLength <= Int(UInt16.max), "STUN attribute value longer than 65535 bytes")
        STUNBytes.writeUInt16(UInt16(valueLength), into: &bytes, at: start + 2)
        let paddingCount = (4 - valueLength % 4) % 4
        if padding.count == paddingCount {
            bytes.append(contentsOf: padding)
        } else {
            bytes.append(contentsOf: repeatElement(0, count: paddingCount))
        }
        updateLength()
    }

    /// Appends MESSAGE-INTEGRITY keyed with a short-term password. In ICE both a check and its
    /// response are keyed with the password of the agent that receives the check.
    public mutating func appendMessageIntegrity(password: String) {
        appendMessageIntegrity(key: STUNIntegrity.shortTermKey(password: password))
    }

    /// Appends MESSAGE-INTEGRITY (HMAC-SHA1) computed with `key`. The HMAC covers the header with
    /// its length already counting this attribute, as RFC 8489 §14.5 requires.
    public mutating func appendMessageIntegrity(key: [UInt8]) {
        let lengthField = lengthAfterAppending(valueLength: 20)
        let mac = bytes.withUnsafeBytes { buffer in
            STUNIntegrity.hmacSHA1(key: key, prefix: buffer, lengthField: lengthField)
        }
        append(.messageIntegrity(mac))
    }

    /// Appends FINGERPRINT; call it last. The CRC covers the header with its length already
    /// counting this attribute.
    public mutating func appendFingerprint() {
        let lengthField = lengthAfterAppending(valueLength: 4)
        let crc = bytes.withUnsafeBytes { buffer in
            STUNIntegrity.fingerprint(prefix: buffer, lengthField: lengthField)
        }
        append(.fingerprint(crc))
    }

    private func lengthAfterAppending(valueLength: Int) -> UInt16 {
        let length = bytes.count - STUNMessage.headerSize + 4 + valueLength
        precondition(length <= Int(UInt16.max), "STUN message longer than 65535 bytes")
        return UInt16(length)
    }

    private mutating func updateLength() {
        let length = bytes.count - STUNMessage.headerSize
        precondition(length <= Int(UInt16.max), "STUN message longer than 65535 bytes")
        STUNBytes.writeUInt16(UInt16(length), into: &bytes, at: 2)
    }
}
