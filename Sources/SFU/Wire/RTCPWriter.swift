/// Writers for the RTCP packets an SFU sends. Each writes one packet at
/// `offset` in `buffer` (so compound packets are built by chaining offsets) and
/// returns the number of bytes written. Nothing is written if the packet does
/// not fit.
public enum RTCPWriter {
    /// Writes the 4-byte common header for a packet of `length` bytes (multiple of 4).
    private static func putHeader(
        _ buffer: UnsafeMutableRawBufferPointer, _ offset: Int, count: UInt8, type: UInt8, length: Int
    ) {
        buffer[offset] = 0x80 | (count & 0x1F)
        buffer[offset + 1] = type
        RTPBytes.put16(buffer, offset + 2, UInt16(truncatingIfNeeded: length / 4 - 1))
    }

    private static func room(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int, _ needed: Int) throws(RTPWriteError) {
        guard offset >= 0, offset <= buffer.count else { throw .invalidValue }
        guard buffer.count - offset >= needed else { throw .bufferTooSmall(needed: needed) }
    }

    /// Writes a sender report (RFC 3550 §6.4.1) with up to 31 report blocks.
    public static func senderReport(
        ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reportBlocks: some Collection<RTCPReportBlock>,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPWriteError) -> Int {
        let rc = reportBlocks.count
        guard rc <= 31 else { throw .invalidValue }
        let length = 28 + rc * RTCPReportBlock.length
        try room(buffer, offset, length)
        putHeader(buffer, offset, count: UInt8(rc), type: RTCPPacketType.senderReport, length: length)
        RTPBytes.put32(buffer, offset + 4, ssrc)
        RTPBytes.put64(buffer, offset + 8, ntpTimestamp)
        RTPBytes.put32(buffer, offset + 16, rtpTimestamp)
        RTPBytes.put32(buffer, offset + 20, packetCount)
        RTPBytes.put32(buffer, offset + 24, octetCount)
        var o = offset + 28
        for block in reportBlocks {
            block.write(into: buffer, at: o)
            o += RTCPReportBlock.length
        }
        return length
    }

    /// Writes a receiver report (RFC 3550 §6.4.2) with up to 31 report blocks.
    public static func receiverReport(
        ssrc: UInt32, reportBlocks: some Collection<RTCPReportBlock>,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPWriteError) -> Int {
        let rc = reportBlocks.count
        guard rc <= 31 else { throw .invalidValue }
        let length = 8 + rc * RTCPReportBlock.length
        try room(buffer, offset, length)
        putHeader(buffer, offset, count: UInt8(rc), type: RTCPPacketType.receiverReport, length: length)
        RTPBytes.put32(buffer, offset + 4, ssrc)
        var o = offset + 8
        for block in reportBlocks {
            block.write(into: buffer, at: o)
            o += RTCPReportBlock.length
        }
        return length
    }

    /// Writes a picture loss indication (PSFB FMT 1).
    public static func pictureLossIndication(
        senderSSRC: UInt32, mediaSSRC: UInt32,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPWriteError) -> Int {
        try room(buffer, offset, 12)
        putHeader(buffer, offset, count: 1, type: RTCPPacketType.payloadFeedback, length: 12)
        RTPBytes.put32(buffer, offset + 4, senderSSRC)
        RTPBytes.put32(buffer, offset + 8, mediaSSRC)
        return 12
    }

    /// Writes a full intra request (PSFB FMT 4, RFC 5104); the media SSRC field is 0.
    public static func fullIntraRequest(
        senderSSRC: UInt32, entries: some Collection<RTCPFIREntry>,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPWriteError) -> Int {
        let n = entries.count
        guard n >= 1, n <= 8000 else { throw .invalidValue }
        let length = 12 + 8 * n
        try room(buffer, offset, length)
        putHeader(buffer, offset, count: 4, type: RTCPPacketType.payloadFeedback, length: length)
        RTPBytes.put32(buffer, offset + 4, senderSSRC)
        RTPBytes.put32(buffer, offset + 8, 0)
        var o = offset + 12
        for entry in entries {
            RTPBytes.put32(buffer, o, entry.ssrc)
            buffer[o + 4] = entry.sequenceNumber
            RTPBytes.zero(buffer, (o + 5)..<(o + 8))
            o += 8
        }
        return length
    }

    /// Writes a generic NACK (RTPFB FMT 1) for `lostSequenceNumbers`.
    ///
    /// Numbers are packed greedily: each PID is followed by a BLP covering
    /// PID+1...PID+16. Supply them in increasing (mod 2^16) order for the most
    /// compact result; any order yields a correct (possibly longer) NACK.
    /// Throws `.invalidValue` when the list is empty.
    public static func genericNack(
        senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: some Sequence<UInt16>,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPWriteError) -> Int {
        try room(buffer, offset, 12)
        var o = offset + 12
        var pid: UInt16 = 0
        var blp: UInt16 = 0
        var open = false
        for seq in lostSequenceNumbers {
            if open {
                let distance = seq &- pid
                if distance == 0 { continue }
                if distance <= 16 {
                    blp |= 1 << (distance - 1)
                    continue
                }
                try room(buffer, o, 4)
                RTPBytes.put16(buffer, o, pid)
                RTPBytes.put16(buffer, o + 2, blp)
                o += 4
            }
            pid = seq
            blp = 0
            open = true
        }
        guard open else { throw .invalidValue }
        try room(buffer, o, 4)
        RTPBytes.put16(buffer, o, pid)
        RTPBytes.put16(buffer, o + 2, blp)
        o += 4
        let length = o - offset
        guard length <= 0x40000 else { throw .invalidValue }
        putHeader(buffer, offset, count: 1, type: RTCPPacketType.transportFeedback, length: length)
        RTPBytes.put32(buffer, offset + 4, senderSSRC)
        RTPBytes.put32(buffer, offset + 8, mediaSSRC)
        return length
    }

    /// Writes a REMB message (PSFB FMT 15) for `bitrate` bits/s applying to `ssrcs` (at most 255).
    public static func remb(
        senderSSRC: UInt32, bitrate: UInt64, ssrcs: some Collection<UInt32>,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPWriteError) -> Int {
        let n = ssrcs.count
        guard n <= 255 else { throw .invalidValue }
        let length = 20 + 4 * n
        try room(buffer, offset, length)
        putHeader(buffer, offset, count: 15, type: RTCPPacketType.payloadFeedback, length: length)
        RTPBytes.put32(buffer, offset + 4, senderSSRC)
        RTPBytes.put32(buffer, offset + 8, 0)
        buffer[offset + 12] = 0x52  // R
        buffer[offset + 13] = 0x45  // E
        buffer[offset + 14] = 0x4D  // M
        buffer[offset + 15] = 0x42  // B
        let (exponent, mantissa) = RTCPRemb.encode(bitrate: bitrate)
        RTPBytes.put32(buffer, offset + 16, UInt32(n) << 24 | UInt32(exponent) << 18 | mantissa)
        var o = offset + 20
        for ssrc in ssrcs {
            RTPBytes.put32(buffer, o, ssrc)
            o += 4
        }
        return length
    }

    /// Writes a BYE (RFC 3550 §6.6) for up to 31 SSRCs with an optional reason
    /// (at most 255 UTF-8 bytes), zero-padded to a 32-bit boundary.
    public static func bye(
        ssrcs: some Collection<UInt32>, reason: String? = nil,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) throws(RTPWriteError) -> Int {
        let n = ssrcs.count
        let reasonCount = reason?.utf8.count ?? 0
        guard n <= 31, reasonCount <= 255 else { throw .invalidValue }
        let unpadded = 4 + 4 * n + (reasonCount > 0 ? 1 + reasonCount : 0)
        let length = (unpadded + 3) & ~3
        try room(buffer, offset, length)
        putHeader(buffer, offset, count: UInt8(n), type: RTCPPacketType.bye, length: length)
        var o = offset + 4
        for ssrc in ssrcs {
            RTPBytes.put32(buffer, o, ssrc)
            o += 4
        }
        if let reason, reasonCount > 0 {
            buffer[o] = UInt8(reasonCount)
            o += 1
            for byte in reason.utf8 {
                buffer[o] = byte
                o += 1
            }
        }
        RTPBytes.zero(buffer, o..<(offset + length))
        return length
    }
}
