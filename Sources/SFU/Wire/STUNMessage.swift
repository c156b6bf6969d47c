/// A parsed (or built) STUN message (RFC 8489 §5).
///
/// Parsing reads the caller's buffer in place and keeps nothing pointing into it: the result
/// owns one copy of the message bytes (needed later to verify MESSAGE-INTEGRITY and
/// FINGERPRINT, which cover the exact received bytes) plus small copies of attribute values.
public struct STUNMessage: Sendable, Equatable {
    /// The 32-bit magic cookie that every RFC 5389/8489 message carries.
    public static let magicCookie: UInt32 = 0x2112_A442
    /// Size of the fixed header.
    public static let headerSize = 20

    /// Request, indication, success or error response.
    public let messageClass: STUNMessageClass
    /// The STUN method; ICE only uses `.binding`.
    public let method: STUNMethod
    /// Pairs a response with its request; responders echo it unchanged.
    public let transactionID: STUNTransactionID
    /// All attributes in wire order, including any after MESSAGE-INTEGRITY.
    public let attributes: [STUNAttribute]

    /// The exact bytes of the message; integrity checks and padding reuse them.
    let wire: [UInt8]
    /// Offset in `wire` of each attribute's header, parallel to `attributes`.
    let attributeOffsets: [Int]

    /// Builds a message in memory. Padding is zero-filled; MESSAGE-INTEGRITY and FINGERPRINT
    /// values are taken as given (use `STUNMessageBuilder` to compute them).
    public init(
        messageClass: STUNMessageClass,
        method: STUNMethod = .binding,
        transactionID: STUNTransactionID,
        attributes: [STUNAttribute] = []
    ) {
        var builder = STUNMessageBuilder(messageClass: messageClass, method: method, transactionID: transactionID)
        var offsets: [Int] = []
        offsets.reserveCapacity(attributes.count)
        for attribute in attributes {
            offsets.append(builder.bytes.count)
            builder.append(attribute)
        }
        self.messageClass = messageClass
        self.method = method
        self.transactionID = transactionID
        self.attributes = attributes
        self.wire = builder.bytes
        self.attributeOffsets = offsets
    }

    /// Parses one STUN message that must fill `buffer` exactly (one UDP datagram).
    public init(parsing buffer: UnsafeRawBufferPointer) throws(STUNParseError) {
        let headerSize = Self.headerSize
        guard buffer.count >= headerSize else { throw .truncated }
        guard buffer[0] & 0xC0 == 0 else { throw .notSTUN }
        let type = STUNBytes.readUInt16(buffer, at: 0)
        let length = Int(STUNBytes.readUInt16(buffer, at: 2))
        guard STUNBytes.readUInt32(buffer, at: 4) == Self.magicCookie else { throw .badMagicCookie }
        guard length % 4 == 0 else { throw .lengthNotMultipleOfFour }
        let total = headerSize + length
        guard buffer.count >= total else { throw .truncated }
        guard buffer.count == total else { throw .trailingBytes }

        let transactionID = STUNTransactionID(
            high: STUNBytes.readUInt32(buffer, at: 8),
            middle: STUNBytes.readUInt32(buffer, at: 12),
            low: STUNBytes.readUInt32(buffer, at: 16))

        var attributes: [STUNAttribute] = []
        var offsets: [Int] = []
        var offset = headerSize
        var sawFingerprint = false
        // `total - offset` stays a multiple of 4, so whenever it is positive there is room
        // for a 4-byte attribute header.
        while offset < total {
            guard !sawFingerprint else { throw .attributeAfterFingerprint }
            let rawType = STUNBytes.readUInt16(buffer, at: offset)
            let valueLength = Int(STUNBytes.readUInt16(buffer, at: offset + 2))
            let paddedLength = (valueLength + 3) & ~3
            guard paddedLength <= total - offset - 4 else { throw .attributeOverrun(type: rawType) }
            let valueStart = offset + 4
            let value = UnsafeRawBufferPointer(rebasing: buffer[valueStart..<(valueStart + valueLength)])
            let attribute = try STUNAttribute.decode(type: rawType, value: value, transactionID: transactionID)
            if attribute.type == .fingerprint { sawFingerprint = true }
            attributes.append(attribute)
            offsets.append(offset)
            offset = valueStart + paddedLength
        }

        (self.messageClass, self.method) = STUNMessageType.decode(type)
        self.transactionID = transactionID
        self.attributes = attributes
        self.attributeOffsets = offsets
        self.wire = Array(buffer)
    }

    /// Parses one STUN message that must fill `bytes` exactly.
    public init(parsing bytes: [UInt8]) throws(STUNParseError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(STUNParseError) in try STUNMessage(parsing: buffer) }
        }
        self = try result.get()
    }

    /// Encodes the message from its attributes. For a parsed message, padding bytes are copied
    /// from the input (RFC 5769 pads with spaces), so the output equals the input byte for byte;
    /// integrity values are copied, not recomputed.
    public func serialize() -> [UInt8] {
        var builder = STUNMessageBuilder(
            messageClass: messageClass, method: method, transactionID: transactionID,
            reservingCapacity: wire.count)
        for (index, attribute) in attributes.enumerated() {
            builder.append(attribute, padding: paddingBytes(ofAttributeAt: index))
        }
        return builder.bytes
    }

    /// The padding that followed attribute `index` in `wire`, or an empty slice if unknown.
    private func paddingBytes(ofAttributeAt index: Int) -> ArraySlice<UInt8> {
        guard index < attributeOffsets.count else { return [] }
        let offset = attributeOffsets[index]
        guard offset >= 0, offset + 4 <= wire.count else { return [] }
        let valueLength = Int(wire[offset + 2]) << 8 | Int(wire[offset + 3])
        let start = offset + 4 + valueLength
        let end = offset + 4 + ((valueLength + 3) & ~3)
        guard start <= end, end <= wire.count else { return [] }
        return wire[start..<end]
    }

    /// Equal when header fields and attributes match; padding bytes are not compared.
    public static func == (lhs: STUNMessage, rhs: STUNMessage) -> Bool {
        lhs.messageClass == rhs.messageClass && lhs.method == rhs.method
            && lhs.transactionID == rhs.transactionID && lhs.attributes == rhs.attributes
    }

    // MARK: - Attribute access

    /// Number of leading attributes that MESSAGE-INTEGRITY(-SHA256) protects. RFC 8489 §14.5–14.6:
    /// anything after the integrity attribute (other than FINGERPRINT) must be ignored, so an
    /// attacker cannot, say, append USE-CANDIDATE to a captured request.
    public var protectedAttributeCount: Int {
        attributes.firstIndex { $0.type == .messageIntegrity || $0.type == .messageIntegritySHA256 }
            ?? attributes.count
    }

    /// The first attribute of `type`. Integrity and FINGERPRINT attributes are searched in the
    /// whole message; all others only among the protected attributes.
    public func attribute(_ type: STUNAttributeType) -> STUNAttribute? {
        switch type {
        case .messageIntegrity, .messageIntegritySHA256, .fingerprint:
            return attributes.first { $0.type == type }
        default:
            return attributes[..<protectedAttributeCount].first { $0.type == type }
        }
    }

    // The accessors below return the first protected attribute of their kind (see `attribute(_:)`).

    /// USERNAME bytes; for ICE, `<receiver ufrag>:<sender ufrag>`.
    public var username: [UInt8]? {
        if case .username(let value) = attribute(.username) { return value }
        return nil
    }

    /// SOFTWARE bytes (informational UTF-8 text).
    public var software: [UInt8]? {
        if case .software(let value) = attribute(.software) { return value }
        return nil
    }

    /// ICE PRIORITY of the peer-reflexive candidate the sender would use.
    public var priority: UInt32? {
        if case .priority(let value) = attribute(.priority) { return value }
        return nil
    }

    /// True when USE-CANDIDATE is present: the controlling agent nominates this pair.
    public var useCandidate: Bool { attribute(.useCandidate) != nil }

    /// ICE-CONTROLLING tie-breaker, present when the sender is the controlling agent.
    public var iceControlling: UInt64? {
        if case .iceControlling(let value) = attribute(.iceControlling) { return value }
        return nil
    }

    /// ICE-CONTROLLED tie-breaker, present when the sender is the controlled agent.
    public var iceControlled: UInt64? {
        if case .iceControlled(let value) = attribute(.iceControlled) { return value }
        return nil
    }

    /// XOR-MAPPED-ADDRESS, already un-XORed.
    public var xorMappedAddress: ICEAddress? {
        if case .xorMappedAddress(let value) = attribute(.xorMappedAddress) { return value }
        return nil
    }

    /// ERROR-CODE of an error response.
    public var errorCode: STUNErrorCode? {
        if case .errorCode(let value) = attribute(.errorCode) { return value }
        return nil
    }

    /// The received MESSAGE-INTEGRITY MAC; use `verifyMessageIntegrity` to check it.
    public var messageIntegrity: [UInt8]? {
        if case .messageIntegrity(let value) = attribute(.messageIntegrity) { return value }
        return nil
    }

    /// The received FINGERPRINT value; use `verifyFingerprint` to check it.
    public var fingerprint: UInt32? {
        if case .fingerprint(let value) = attribute(.fingerprint) { return value }
        return nil
    }

    /// The first protected comprehension-required attribute type this parser does not know.
    /// RFC 8489 §6.3.1: such a request must not be processed.
    public var unknownComprehensionRequiredType: STUNAttributeType? {
        for attribute in attributes[..<protectedAttributeCount] {
            if case .unknown(let type, _) = attribute, type.isComprehensionRequired { return type }
        }
        return nil
    }
}
