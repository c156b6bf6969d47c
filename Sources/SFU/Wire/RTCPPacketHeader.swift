/// RTCP packet type values (RFC 3550, RFC 4585).
public enum RTCPPacketType {
    /// Sender report.
    public static let senderReport: UInt8 = 200
    /// Receiver report.
    public static let receiverReport: UInt8 = 201
    /// Source description.
    public static let sourceDescription: UInt8 = 202
    /// Goodbye.
    public static let bye: UInt8 = 203
    /// Application-defined.
    public static let app: UInt8 = 204
    /// Transport-layer feedback (RTPFB, RFC 4585).
    public static let transportFeedback: UInt8 = 205
    /// Payload-specific feedback (PSFB, RFC 4585).
    public static let payloadFeedback: UInt8 = 206
}

/// The common 4-byte header of one RTCP packet inside a compound datagram,
/// with its position and validated size.
public struct RTCPPacketHeader: Sendable, Equatable {
    /// Offset of the packet's first byte in the datagram.
    public let offset: Int
    /// Total packet length in bytes, header and padding included ((length field + 1) × 4).
    public let length: Int
    /// P bit.
    public let padding: Bool
    /// The 5-bit count field: RC, SC, or FMT for feedback messages.
    public let count: UInt8
    /// Packet type (PT).
    public let packetType: UInt8
    /// Number of padding bytes at the end (0 when P is clear).
    public let paddingLength: Int

    /// Parses and validates the header of the packet at `offset` in `buffer`.
    public init(parsing buffer: UnsafeRawBufferPointer, at offset: Int) throws(RTCPParseError) {
        guard offset >= 0, offset <= buffer.count, buffer.count - offset >= 4 else { throw .truncated }
        let b0 = buffer[offset]
        guard b0 >> 6 == 2 else { throw .badVersion(b0 >> 6) }
        let length = (Int(RTPBytes.u16(buffer, offset + 2)) + 1) * 4
        guard length <= buffer.count - offset else { throw .truncated }
        self.offset = offset
        self.length = length
        self.padding = b0 & 0x20 != 0
        self.count = b0 & 0x1F
        self.packetType = buffer[offset + 1]
        if padding {
            let pad = Int(buffer[offset + length - 1])
            guard pad >= 1, pad <= length - 4 else { throw .invalidPadding }
            paddingLength = pad
        } else {
            paddingLength = 0
        }
    }

    /// FMT for feedback packets (same bits as `count`).
    public var format: UInt8 { count }
    /// Offset of the first byte after the 4-byte header.
    public var bodyOffset: Int { offset + 4 }
    /// Body length in bytes, excluding header and padding.
    public var bodyLength: Int { length - 4 - paddingLength }
    /// Offset just past the last content byte (padding excluded).
    public var contentEnd: Int { offset + length - paddingLength }
}
