/// A parsed sender report (RFC 3550 §6.4.1).
public struct RTCPSenderReport: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// SSRC of the sender.
    public let ssrc: UInt32
    /// 64-bit NTP timestamp.
    public let ntpTimestamp: UInt64
    /// RTP timestamp corresponding to `ntpTimestamp`.
    public let rtpTimestamp: UInt32
    /// Sender's packet count.
    public let packetCount: UInt32
    /// Sender's octet count.
    public let octetCount: UInt32
    /// Number of report blocks (RC).
    public let reportCount: Int
    /// Offset of the first report block in the datagram.
    public let reportBlocksOffset: Int

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        let rc = Int(header.count)
        guard header.bodyLength >= 24 + rc * RTCPReportBlock.length else { throw .malformed }
        let o = header.bodyOffset
        self.header = header
        ssrc = RTPBytes.u32(buffer, o)
        ntpTimestamp = RTPBytes.u64(buffer, o + 4)
        rtpTimestamp = RTPBytes.u32(buffer, o + 12)
        packetCount = RTPBytes.u32(buffer, o + 16)
        octetCount = RTPBytes.u32(buffer, o + 20)
        reportCount = rc
        reportBlocksOffset = o + 24
    }

    /// The middle 32 bits of the NTP timestamp, as echoed in LSR.
    public var compactNTP: UInt32 { UInt32(truncatingIfNeeded: ntpTimestamp >> 16) }

    /// Iterates the report blocks in `buffer` (the parsed datagram).
    public func reportBlocks(in buffer: UnsafeRawBufferPointer) -> RTCPReportBlockIterator {
        RTCPReportBlockIterator(buffer: buffer, offset: reportBlocksOffset, count: reportCount)
    }
}
