/// One FIR FCI entry (RFC 5104 §4.3.1.1).
public struct RTCPFIREntry: Sendable, Equatable {
    /// SSRC of the media sender asked for a decoder refresh.
    public let ssrc: UInt32
    /// Command sequence number.
    public let sequenceNumber: UInt8

    /// Creates an entry.
    public init(ssrc: UInt32, sequenceNumber: UInt8) {
        self.ssrc = ssrc
        self.sequenceNumber = sequenceNumber
    }
}

/// A parsed full intra request (PSFB FMT 4, RFC 5104 §4.3.1).
public struct RTCPFullIntraRequest: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// SSRC of the packet sender.
    public let senderSSRC: UInt32
    /// Media source SSRC field (RFC 5104 says it SHALL be 0).
    public let mediaSSRC: UInt32
    /// Number of FCI entries.
    public let entryCount: Int
    /// Offset of the first entry in the datagram.
    public let entriesOffset: Int

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        let fciLength = header.bodyLength - 8
        guard fciLength >= 8, fciLength % 8 == 0 else { throw .malformed }
        self.header = header
        senderSSRC = RTPBytes.u32(buffer, header.bodyOffset)
        mediaSSRC = RTPBytes.u32(buffer, header.bodyOffset + 4)
        entryCount = fciLength / 8
        entriesOffset = header.bodyOffset + 8
    }

    /// Iterates the FCI entries.
    public func entries(in buffer: UnsafeRawBufferPointer) -> RTCPFIREntryIterator {
        RTCPFIREntryIterator(buffer: buffer, offset: entriesOffset, count: entryCount)
    }
}

/// Non-allocating iterator over FIR entries. Borrows the buffer; not `Sendable`.
public struct RTCPFIREntryIterator: IteratorProtocol, Sequence {
    private let buffer: UnsafeRawBufferPointer
    private var offset: Int
    private var remaining: Int

    init(buffer: UnsafeRawBufferPointer, offset: Int, count: Int) {
        self.buffer = buffer
        self.offset = offset
        self.remaining = count
    }

    /// The next entry, or nil.
    public mutating func next() -> RTCPFIREntry? {
        guard remaining > 0, offset >= 0, offset + 8 <= buffer.count else { return nil }
        remaining -= 1
        defer { offset += 8 }
        return RTCPFIREntry(ssrc: RTPBytes.u32(buffer, offset), sequenceNumber: buffer[offset + 4])
    }
}
