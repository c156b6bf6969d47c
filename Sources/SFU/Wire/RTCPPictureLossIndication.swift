/// A parsed picture loss indication (PSFB FMT 1, RFC 4585 §6.3.1).
public struct RTCPPictureLossIndication: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// SSRC of the packet sender.
    public let senderSSRC: UInt32
    /// SSRC of the media source that should send a keyframe.
    public let mediaSSRC: UInt32

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) {
        self.header = header
        senderSSRC = RTPBytes.u32(buffer, header.bodyOffset)
        mediaSSRC = RTPBytes.u32(buffer, header.bodyOffset + 4)
    }
}
