/// A parsed generic NACK (RTPFB FMT 1, RFC 4585 §6.2.1).
public struct RTCPGenericNack: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// SSRC of the packet sender.
    public let senderSSRC: UInt32
    /// SSRC of the media source the losses refer to.
    public let mediaSSRC: UInt32
    /// Number of PID/BLP pairs.
    public let entryCount: Int
    /// Offset of the first PID/BLP pair in the datagram.
    public let entriesOffset: Int

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        let fciLength = header.bodyLength - 8
        guard fciLength >= 4, fciLength % 4 == 0 else { throw .malformed }
        self.header = header
        senderSSRC = RTPBytes.u32(buffer, header.bodyOffset)
        mediaSSRC = RTPBytes.u32(buffer, header.bodyOffset + 4)
        entryCount = fciLength / 4
        entriesOffset = header.bodyOffset + 8
    }

    /// Iterates every lost sequence number (PID, then each BLP bit set) in order.
    public func lostSequenceNumbers(in buffer: UnsafeRawBufferPointer) -> RTCPNackIterator {
        RTCPNackIterator(buffer: buffer, offset: entriesOffset, count: entryCount)
    }
}

/// Non-allocating iterator expanding NACK PID/BLP pairs into sequence numbers.
/// Borrows the datagram buffer; not `Sendable`.
public struct RTCPNackIterator: IteratorProtocol, Sequence {
    private let buffer: UnsafeRawBufferPointer
    private var offset: Int
    private var remaining: Int
    private var pid: UInt16 = 0
    private var blp: UInt16 = 0
    private var bit = 16  // 16 = load the next pair

    init(buffer: UnsafeRawBufferPointer, offset: Int, count: Int) {
        self.buffer = buffer
        self.offset = offset
        self.remaining = count
    }

    /// The next lost sequence number, or nil.
    public mutating func next() -> UInt16? {
        while true {
            if bit >= 16 {
                guard remaining > 0, offset >= 0, offset + 4 <= buffer.count else { return nil }
                pid = RTPBytes.u16(buffer, offset)
                blp = RTPBytes.u16(buffer, offset + 2)
                offset += 4
                remaining -= 1
                bit = 0
                return pid
            }
            let current = bit
            bit += 1
            if blp & (1 << current) != 0 {
                return pid &+ UInt16(current + 1)
            }
        }
    }
}
