/// A parsed BYE packet (RFC 3550 §6.6).
public struct RTCPBye: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// Number of SSRC/CSRC identifiers (SC).
    public let sourceCount: Int
    /// Offset of the first SSRC in the datagram.
    public let ssrcsOffset: Int
    /// Byte range of the optional reason text (UTF-8, without its length byte).
    public let reasonRange: Range<Int>?

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        let sc = Int(header.count)
        guard header.bodyLength >= sc * 4 else { throw .malformed }
        self.header = header
        sourceCount = sc
        ssrcsOffset = header.bodyOffset
        let reasonOffset = header.bodyOffset + sc * 4
        if reasonOffset < header.contentEnd {
            let length = Int(buffer[reasonOffset])
            guard reasonOffset + 1 + length <= header.contentEnd else { throw .malformed }
            reasonRange = length == 0 ? nil : (reasonOffset + 1)..<(reasonOffset + 1 + length)
        } else {
            reasonRange = nil
        }
    }

    /// Iterates the SSRCs leaving the session.
    public func ssrcs(in buffer: UnsafeRawBufferPointer) -> RTCPSSRCIterator {
        RTCPSSRCIterator(buffer: buffer, offset: ssrcsOffset, count: sourceCount)
    }
}
