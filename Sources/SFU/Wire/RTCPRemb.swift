/// A parsed receiver estimated maximum bitrate message
/// (PSFB FMT 15 "REMB", draft-alvestrand-rmcat-remb-03 §2.2).
public struct RTCPRemb: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// SSRC of the packet sender.
    public let senderSSRC: UInt32
    /// Number of SSRCs the estimate applies to.
    public let ssrcCount: Int
    /// 6-bit exponent.
    public let exponent: UInt8
    /// 18-bit mantissa.
    public let mantissa: UInt32
    /// Offset of the first SSRC in the datagram.
    public let ssrcsOffset: Int

    static func hasIdentifier(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) -> Bool {
        let o = header.bodyOffset + 8
        guard header.bodyLength >= 12, o + 4 <= buffer.count else { return false }
        return buffer[o] == 0x52 && buffer[o + 1] == 0x45 && buffer[o + 2] == 0x4D && buffer[o + 3] == 0x42
    }

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        guard header.bodyLength >= 16 else { throw .malformed }
        let o = header.bodyOffset
        let word = RTPBytes.u32(buffer, o + 12)
        let n = Int(word >> 24)
        guard header.bodyLength >= 16 + 4 * n else { throw .malformed }
        self.header = header
        senderSSRC = RTPBytes.u32(buffer, o)
        ssrcCount = n
        exponent = UInt8((word >> 18) & 0x3F)
        mantissa = word & 0x3FFFF
        ssrcsOffset = o + 16
    }

    /// The bitrate in bits per second (mantissa × 2^exp), saturating at `UInt64.max`.
    public var bitrate: UInt64 {
        let m = UInt64(mantissa)
        guard m != 0 else { return 0 }
        guard m.leadingZeroBitCount > Int(exponent) else { return .max }
        return m << UInt64(exponent)
    }

    /// Splits a bitrate into (exponent, 18-bit mantissa), truncating low bits.
    public static func encode(bitrate: UInt64) -> (exponent: UInt8, mantissa: UInt32) {
        var m = bitrate
        var e: UInt8 = 0
        while m > 0x3FFFF {
            m >>= 1
            e += 1
        }
        return (e, UInt32(m))
    }

    /// Iterates the SSRCs the estimate applies to.
    public func ssrcs(in buffer: UnsafeRawBufferPointer) -> RTCPSSRCIterator {
        RTCPSSRCIterator(buffer: buffer, offset: ssrcsOffset, count: ssrcCount)
    }
}
