/// One 24-byte reception report block (RFC 3550 §6.4.1).
public struct RTCPReportBlock: Sendable, Equatable {
    /// Size of a report block on the wire.
    public static let length = 24

    /// SSRC of the source this block reports on.
    public var ssrc: UInt32
    /// Fraction of packets lost since the previous report, in 1/256 units.
    public var fractionLost: UInt8
    /// Cumulative number of packets lost (signed 24-bit; negative with duplicates).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received.
    public var highestSequenceNumber: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received (LSR).
    public var lastSenderReport: UInt32
    /// Delay since the last SR, in 1/65536 s (DLSR).
    public var delaySinceLastSenderReport: UInt32

    /// Creates a report block.
    public init(
        ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, highestSequenceNumber: UInt32,
        jitter: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.highestSequenceNumber = highestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// Reads a block at `offset`; nil if it does not fit in `buffer`.
    public init?(reading buffer: UnsafeRawBufferPointer, at offset: Int) {
        guard offset >= 0, offset <= buffer.count, buffer.count - offset >= RTCPReportBlock.length else { return nil }
        ssrc = RTPBytes.u32(buffer, offset)
        fractionLost = buffer[offset + 4]
        cumulativeLost = RTPBytes.signed24(RTPBytes.u24(buffer, offset + 5))
        highestSequenceNumber = RTPBytes.u32(buffer, offset + 8)
        jitter = RTPBytes.u32(buffer, offset + 12)
        lastSenderReport = RTPBytes.u32(buffer, offset + 16)
        delaySinceLastSenderReport = RTPBytes.u32(buffer, offset + 20)
    }

    /// Writes the block at `offset`; the caller guarantees 24 bytes of room.
    /// `cumulativeLost` is clamped to the signed 24-bit range.
    func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        RTPBytes.put32(buffer, offset, ssrc)
        buffer[offset + 4] = fractionLost
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        RTPBytes.put24(buffer, offset + 5, UInt32(bitPattern: clamped) & 0xFF_FFFF)
        RTPBytes.put32(buffer, offset + 8, highestSequenceNumber)
        RTPBytes.put32(buffer, offset + 12, jitter)
        RTPBytes.put32(buffer, offset + 16, lastSenderReport)
        RTPBytes.put32(buffer, offset + 20, delaySinceLastSenderReport)
    }
}

/// Non-allocating iterator over the report blocks of an SR or RR.
/// Borrows the datagram buffer; not `Sendable`.
public struct RTCPReportBlockIterator: IteratorProtocol, Sequence {
    private let buffer: UnsafeRawBufferPointer
    private var offset: Int
    private var remaining: Int

    init(buffer: UnsafeRawBufferPointer, offset: Int, count: Int) {
        self.buffer = buffer
        self.offset = offset
        self.remaining = count
    }

    /// The next report block, or nil.
    public mutating func next() -> RTCPReportBlock? {
        guard remaining > 0, let block = RTCPReportBlock(reading: buffer, at: offset) else { return nil }
        remaining -= 1
        offset += RTCPReportBlock.length
        return block
    }
}
