/// A STUN attribute type number (RFC 8489 §18.3, RFC 8445 §16.1).
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let username = STUNAttributeType(rawValue: 0x0006)
    public static let messageIntegrity = STUNAttributeType(rawValue: 0x0008)
    public static let errorCode = STUNAttributeType(rawValue: 0x0009)
    public static let messageIntegritySHA256 = STUNAttributeType(rawValue: 0x001C)
    public static let xorMappedAddress = STUNAttributeType(rawValue: 0x0020)
    public static let priority = STUNAttributeType(rawValue: 0x0024)
    public static let useCandidate = STUNAttributeType(rawValue: 0x0025)
    public static let software = STUNAttributeType(rawValue: 0x8022)
    public static let fingerprint = STUNAttributeType(rawValue: 0x8028)
    public static let iceControlled = STUNAttributeType(rawValue: 0x8029)
    public static let iceControlling = STUNAttributeType(rawValue: 0x802A)

    /// Types below 0x8000 must be understood by the receiver (RFC 8489 §14): a request that
    /// carries an unknown one must not be processed.
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }
}

/// The value of an ERROR-CODE attribute (RFC 8489 §14.8).
public struct STUNErrorCode: Sendable, Hashable {
    /// Class × 100 + number, e.g. 401 or 487. Values are kept in 0...799 so they round-trip.
    public var code: UInt16
    /// UTF-8 reason phrase bytes, kept raw so that decoding never alters what was received.
    public var reason: [UInt8]

    public init(code: UInt16, reason: [UInt8]) {
        self.code = code
        self.reason = reason
    }

    public init(code: UInt16, reason: String) {
        self.init(code: code, reason: Array(reason.utf8))
    }

    /// The reason phrase decoded as UTF-8 (invalid sequences replaced).
    public var reasonText: String { String(decoding: reason, as: UTF8.self) }
}

/// One decoded STUN attribute. Unknown types are kept raw so a message can be re-serialized.
///
/// Text attributes (USERNAME, SOFTWARE) hold raw bytes rather than `String`: the comparison
/// ICE needs is byte-exact, and re-serializing must reproduce exactly what was received.
public enum STUNAttribute: Sendable, Hashable {
    case username([UInt8])
    /// The 20-byte HMAC-SHA1 as found on the wire.
    case messageIntegrity([UInt8])
    /// 16 to 32 bytes of (possibly truncated) HMAC-SHA256; recognized but not verified here.
    case messageIntegritySHA256([UInt8])
    /// The CRC-32 value as found on the wire (already XORed with 0x5354554E).
    case fingerprint(UInt32)
    /// The mapped address with the XOR already undone.
    case xorMappedAddress(ICEAddress)
    case priority(UInt32)
    case useCandidate
    case iceControlled(tieBreaker: UInt64)
    case iceControlling(tieBreaker: UInt64)
    case errorCode(STUNErrorCode)
    case software([UInt8])
    case unknown(type: STUNAttributeType, value: [UInt8])

    /// The attribute's wire type number.
    public var type: STUNAttributeType {
        switch self {
        case .username: .username
        case .messageIntegrity: .messageIntegrity
        case .messageIntegritySHA256: .messageIntegritySHA256
        case .fingerprint: .fingerprint
        case .xorMappedAddress: .xorMappedAddress
        case .priority: .priority
        case .useCandidate: .useCandidate
        case .iceControlled: .iceControlled
        case .iceControlling: .iceControlling
        case .errorCode: .errorCode
        case .software: .software
        case .unknown(let type, _): type
        }
    }

    static let magicCookie: UInt32 = 0x2112_A442

    /// RFC 8489 §14.3: USERNAME must be shorter than 513 bytes.
    static let maximumUsernameLength = 513

    /// Decodes one attribute value. `value` is exactly the value bytes (without padding).
    static func decode(
        type rawType: UInt16,
        value: UnsafeRawBufferPointer,
        transactionID: STUNTransactionID
    ) throws(STUNParseError) -> STUNAttribute {
        let type = STUNAttributeType(rawValue: rawType)
        let malformed = STUNParseError.malformedAttribute(type: rawType)
        switch type {
        case .username:
            guard value.count <= maximumUsernameLength else { throw malformed }
            return .username(Array(value))
        case .messageIntegrity:
            guard value.count == 20 else { throw malformed }
            return .messageIntegrity(Array(value))
        case .messageIntegritySHA256:
            guard value.count >= 16, value.count <= 32, value.count % 4 == 0 else { throw malformed }
            return .messageIntegritySHA256(Array(value))
        case .fingerprint:
            guard value.count == 4 else { throw malformed }
            return .fingerprint(STUNBytes.readUInt32(value, at: 0))
        case .priority:
            guard value.count == 4 else { throw malformed }
            return .priority(STUNBytes.readUInt32(value, at: 0))
        case .useCandidate:
            guard value.isEmpty else { throw malformed }
            return .useCandidate
        case .iceControlled:
            guard value.count == 8 else { throw malformed }
            return .iceControlled(tieBreaker: STUNBytes.readUInt64(value, at: 0))
        case .iceControlling:
            guard value.count == 8 else { throw malformed }
            return .iceControlling(tieBreaker: STUNBytes.readUInt64(value, at: 0))
        case .software:
            return .software(Array(value))
        case .errorCode:
            guard value.count >= 4 else { throw malformed }
            let errorClass = UInt16(value[2] & 0x07)
            let number = UInt16(value[3])
            guard number < 100 else { throw malformed }
            return .errorCode(STUNErrorCode(code: errorClass * 100 + number, reason: Array(value[4...])))
        case .xorMappedAddress:
            return .xorMappedAddress(try decodeXORAddress(value, transactionID: transactionID, type: rawType))
        default:
            return .unknown(type: type, value: Array(value))
        }
    }

    private static func decodeXORAddress(
        _ value: UnsafeRawBufferPointer,
        transactionID: STUNTransactionID,
        type: UInt16
    ) throws(STUNParseError) -> ICEAddress {
        guard value.count >= 4 else { throw .malformedAttribute(type: type) }
        let port = UInt16(value[2]) << 8 | UInt16(value[3])
        let xPort = port ^ UInt16(truncatingIfNeeded: magicCookie >> 16)
        switch value[1] {
        case 0x01 where value.count == 8:
            return ICEAddress(ip: .v4(STUNBytes.readUInt32(value, at: 4) ^ magicCookie), port: xPort)
        case 0x02 where value.count == 20:
            let high = STUNBytes.readUInt64(value, at: 4) ^ (UInt64(magicCookie) << 32 | UInt64(transactionID.high))
            let low = STUNBytes.readUInt64(value, at: 12) ^ (UInt64(transactionID.middle) << 32 | UInt64(transactionID.low))
            return ICEAddress(ip: .v6(high: high, low: low), port: xPort)
        default:
            throw .malformedAttribute(type: type)
        }
    }

    /// Appends the value bytes (no header, no padding) to `out`.
    func appendValue(to out: inout [UInt8], transactionID: STUNTransactionID) {
        switch self {
        case .username(let bytes), .messageIntegrity(let bytes), .messageIntegritySHA256(let bytes),
            .software(let bytes), .unknown(_, let bytes):
            out.append(contentsOf: bytes)
        case .fingerprint(let value), .priority(let value):
            STUNBytes.appendUInt32(value, to: &out)
        case .useCandidate:
            break
        case .iceControlled(let tieBreaker), .iceControlling(let tieBreaker):
            STUNBytes.appendUInt64(tieBreaker, to: &out)
        case .errorCode(let error):
            let errorClass = UInt8(truncatingIfNeeded: (error.code / 100) & 0x07)
            out.append(contentsOf: [0, 0, errorClass, UInt8(truncatingIfNeeded: error.code % 100)])
            out.append(contentsOf: error.reason)
        case .xorMappedAddress(let address):
            let xPort = address.port ^ UInt16(truncatingIfNeeded: Self.magicCookie >> 16)
            switch address.ip {
            case .v4(let ip):
                out.append(contentsOf: [0, 0x01, UInt8(truncatingIfNeeded: xPort >> 8), UInt8(truncatingIfNeeded: xPort)])
                STUNBytes.appendUInt32(ip ^ Self.magicCookie, to: &out)
            case .v6(let high, let low):
                out.append(contentsOf: [0, 0x02, UInt8(truncatingIfNeeded: xPort >> 8), UInt8(truncatingIfNeeded: xPort)])
                STUNBytes.appendUInt64(high ^ (UInt64(Self.magicCookie) << 32 | UInt64(transactionID.high)), to: &out)
                STUNBytes.appendUInt64(low ^ (UInt64(transactionID.middle) << 32 | UInt64(transactionID.low)), to: &out)
            }
        }
    }
}
