/// The class of a STUN message (RFC 8489 §5): the two C bits of the message type.
public enum STUNMessageClass: UInt8, Sendable, Hashable, CaseIterable {
    case request = 0b00
    case indication = 0b01
    case success = 0b10
    case error = 0b11
}

/// A STUN method (12 bits). Kept open so messages with other methods (e.g. TURN) still parse.
public struct STUNMethod: RawRepresentable, Hashable, Sendable {
    /// The 12-bit method number; higher bits are dropped when encoding.
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue & 0x0FFF
    }

    /// The only method ICE needs (RFC 8489 §18.2).
    public static let binding = STUNMethod(rawValue: 0x001)
}

/// Packing and unpacking of the 14-bit message type field, where the class bits are
/// interleaved with the method bits: M11..M7 C1 M6..M4 C0 M3..M0.
enum STUNMessageType {
    static func encode(messageClass: STUNMessageClass, method: STUNMethod) -> UInt16 {
        let m = method.rawValue
        let c = UInt16(messageClass.rawValue)
        return (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2)
            | ((c & 0b01) << 4) | ((c & 0b10) << 7)
    }

    static func decode(_ type: UInt16) -> (STUNMessageClass, STUNMethod) {
        let c = UInt8(truncatingIfNeeded: ((type >> 4) & 0b01) | ((type >> 7) & 0b10))
        let m = (type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80)
        // c is two bits, so the rawValue initializer always succeeds; the fallback is unreachable.
        return (STUNMessageClass(rawValue: c) ?? .request, STUNMethod(rawValue: m))
    }
}
