/// The compound RTCP packet that announces one outgoing RTP stream (RFC 3550 §6.1): a sender report
/// (§6.4.1) without report blocks (the SFU receives nothing on a viewer's SSRCs) followed, when a
/// CNAME is given, by an SDES packet with one chunk carrying it (§6.5.1). Written in place; no
/// allocation.
///
/// ```
/// SR:   |V=2|P|RC=0| PT=200 | length=6 | SSRC | NTP (64) | RTP ts | packet count | octet count |
/// SDES: |V=2|P|SC=1| PT=202 | length   | SSRC | CNAME=1 | len | text… | 0… (to a 32-bit boundary) |
/// ```
public struct RTCPSenderReportBuilder: Sendable, Equatable {
    /// The sender's SSRC (the viewer's outgoing media SSRC).
    public var ssrc: UInt32
    /// Wallclock time when the report is sent.
    public var ntpTimestamp: NTPTimestamp
    /// The RTP timestamp that corresponds to `ntpTimestamp` in this SSRC's timeline.
    public var rtpTimestamp: UInt32
    /// RTP data packets sent on this SSRC since it started (mod 2^32).
    public var packetCount: UInt32
    /// RTP payload octets (no header, no padding) sent on this SSRC since it started (mod 2^32).
    public var octetCount: UInt32
    /// Canonical name for the SDES chunk (at most 255 UTF-8 bytes); nil leaves SDES out (a
    /// reduced-size report, RFC 5506).
    public var cname: String?

    /// Size of the sender report part.
    public static let senderReportLength = 28

    public init(
        ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        cname: String? = nil
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.cname = cname
    }

    /// Length of the SDES packet: header, SSRC, item type and length, text, then at least one
    /// null octet ending the item list, padded to a 32-bit boundary (§6.5).
    private var sourceDescriptionLength: Int {
        guard let cname else { return 0 }
        return 8 + ((2 + cname.utf8.count + 1 + 3) & ~3)
    }

    /// Total bytes `write` produces.
    public var length: Int { Self.senderReportLength + sourceDescriptionLength }

    /// Writes the compound packet at `offset` and returns its length. Throws (writing nothing)
    /// when it does not fit or the CNAME is longer than 255 bytes.
    public func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) throws(RTPWriteError) -> Int {
        let cnameLength = cname?.utf8.count ?? 0
        guard cnameLength <= 255 else { throw .invalidValue }
        let total = length
        guard offset >= 0, offset <= buffer.count else { throw .invalidValue }
        guard buffer.count - offset >= total else { throw .bufferTooSmall(needed: total) }
        let written = try RTCPWriter.senderReport(
            ssrc: ssrc, ntpTimestamp: ntpTimestamp.rawValue, rtpTimestamp: rtpTimestamp, packetCount: packetCount,
            octetCount: octetCount, reportBlocks: EmptyCollection<RTCPReportBlock>(), into: buffer, at: offset)
        guard let cname else { return written }
        var o = offset + written
        let sdesLength = total - written
        buffer[o] = 0x81  // V=2, P=0, SC=1
        buffer[o + 1] = RTCPPacketType.sourceDescription
        RTPBytes.put16(buffer, o + 2, UInt16(sdesLength / 4 - 1))
        RTPBytes.put32(buffer, o + 4, ssrc)
        buffer[o + 8] = 1  // CNAME
        buffer[o + 9] = UInt8(cnameLength)
        o += 10
        for byte in cname.utf8 {
            buffer[o] = byte
            o += 1
        }
        RTPBytes.zero(buffer, o..<(offset + total))
        return total
    }
}
