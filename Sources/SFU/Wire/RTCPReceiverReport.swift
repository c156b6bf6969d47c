/// A parsed receiver report (RFC 3550 §6.4.2).
public struct RTCPReceiverReport: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// SSRC of the packet sender.
    public let ssrc: UInt32
    /// Number of report blocks (RC).
    public let reportCount: Int
    /// Offset of the first report block in the datagram.
    public let reportBlocksOffset: Int

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        let rc = Int(header.count)
        guard header.bodyLength >= 4 + rc * RTCPReportBlock.length else { throw .malformed }
        self.header = header
        ssrc = RTPBytes.u32(buffer, header.bodyOffset)
        reportCount = rc
        reportBlocksOffset = header.bodyOffset + 4
    }

    /// Iterates the report blocks in `buffer` (the parsed datagram).
    public func reportBlocks(in buffer: UnsafeRawBufferPointer) -> RTCPReportBlockIterator {
        RTCPReportBlockIterator(buffer: buffer, offset: reportBlocksOffset, count: reportCount)
    }
}
