/// CRC-32 as used by the STUN FINGERPRINT attribute (RFC 8489 §14.7): the ISO-HDLC / IEEE 802.3
/// polynomial in reflected form (0xEDB88320), initial value and final XOR 0xFFFFFFFF.
///
/// Table-driven, pure Swift, so it needs neither Foundation nor zlib.
public struct STUNCRC32: Sendable {
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Feeds more bytes into the running checksum.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var crc = state
        for byte in buffer {
            crc = Self.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        state = crc
    }

    /// Feeds more bytes into the running checksum.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The checksum of everything fed so far.
    public var value: UInt32 { ~state }

    /// One-shot checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = STUNCRC32()
        crc.update(bytes)
        return crc.value
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = (value & 1) != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }
}
