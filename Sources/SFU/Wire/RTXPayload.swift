/// RTX retransmission payloads (RFC 4588 §4): the original sequence number
/// (OSN, 2 bytes) followed by the original payload.
public struct RTXPayload: Sendable, Equatable {
    /// The original packet's sequence number.
    public var originalSequenceNumber: UInt16
    /// Range of the original payload within the parsed RTX payload buffer.
    public var originalPayloadRange: Range<Int>

    /// Parses an RTX payload (the RTP payload of an RTX packet, padding excluded).
    public init(parsing payload: UnsafeRawBufferPointer) throws(RTPParseError) {
        guard payload.count >= 2 else { throw .truncated }
        originalSequenceNumber = RTPBytes.u16(payload, 0)
        originalPayloadRange = 2..<payload.count
    }

    /// Writes OSN + `originalPayload` at the start of `buffer`; returns the length.
    public static func write(
        originalSequenceNumber: UInt16, originalPayload: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(RTPWriteError) -> Int {
        let total = 2 + originalPayload.count
        guard buffer.count >= total else { throw .bufferTooSmall(needed: total) }
        RTPBytes.put16(buffer, 0, originalSequenceNumber)
        RTPBytes.copy(originalPayload, into: buffer, at: 2)
        return total
    }

    /// Builds a complete RTX packet from `original` (parsed as `header`): the
    /// original header (CSRCs and extensions kept) with the RTX SSRC, payload type
    /// and sequence number, the P bit cleared, then OSN + original payload
    /// (padding dropped). Returns the packet length.
    public static func writePacket(
        original: UnsafeRawBufferPointer, header: RTPHeader,
        rtxSSRC: UInt32, rtxPayloadType: UInt8, rtxSequenceNumber: UInt16,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(RTPWriteError) -> Int {
        let headerLength = header.payloadOffset
        guard headerLength >= RTPHeader.fixedLength, headerLength <= original.count, header.payloadLength >= 0,
              header.payloadLength <= original.count - headerLength
        else { throw .invalidValue }
        let total = headerLength + 2 + header.payloadLength
        guard buffer.count >= total else { throw .bufferTooSmall(needed: total) }
        RTPBytes.copy(UnsafeRawBufferPointer(rebasing: original[0..<headerLength]), into: buffer, at: 0)
        buffer[0] &= ~0x20  // no padding
        RTPRewriter.setPayloadType(rtxPayloadType, marker: header.marker, in: buffer)
        RTPRewriter.setSequenceNumber(rtxSequenceNumber, in: buffer)
        RTPRewriter.setSSRC(rtxSSRC, in: buffer)
        RTPBytes.put16(buffer, headerLength, header.sequenceNumber)
        RTPBytes.copy(UnsafeRawBufferPointer(rebasing: original[header.payloadRange]), into: buffer, at: headerLength + 2)
        return total
    }
}
