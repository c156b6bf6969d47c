/// Non-allocating iterator over a list of 32-bit SSRCs (BYE, REMB).
/// Borrows the datagram buffer; not `Sendable`.
public struct RTCPSSRCIterator: IteratorProtocol, Sequence {
    private let buffer: UnsafeRawBufferPointer
    private var offset: Int
    private var remaining: Int

    init(buffer: UnsafeRawBufferPointer, offset: Int, count: Int) {
        self.buffer = buffer
        self.offset = offset
        self.remaining = count
    }

    /// The next SSRC, or nil.
    public mutating func next() -> UInt32? {
        guard remaining > 0, offset >= 0, offset + 4 <= buffer.count else { return nil }
        remaining -= 1
        defer { offset += 4 }
        return RTPBytes.u32(buffer, offset)
    }
}
