/// Non-allocating iterator over the packets of a compound RTCP datagram.
///
/// `next()` validates and classifies one packet at a time; it throws on the
/// first malformed packet and returns nil afterwards. The iterator borrows the
/// datagram's raw buffer (use it inside `withUnsafeReadableBytes`), so it is
/// not `Sendable`; the packets it returns are.
public struct RTCPCompoundIterator {
    private let buffer: UnsafeRawBufferPointer
    private var offset = 0

    /// Iterates over the compound datagram occupying the whole of `buffer`.
    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// The next classified packet, or nil at the end of the datagram.
    public mutating func next() throws(RTCPParseError) -> RTCPPacket? {
        guard offset < buffer.count else { return nil }
        do {
            let header = try RTCPPacketHeader(parsing: buffer, at: offset)
            offset += header.length
            return try RTCPPacket(header: header, in: buffer)
        } catch {
            offset = buffer.count
            throw error
        }
    }

    /// Validates every packet of the datagram and returns how many it holds.
    public static func validate(_ buffer: UnsafeRawBufferPointer) throws(RTCPParseError) -> Int {
        var it = RTCPCompoundIterator(buffer)
        var count = 0
        while try it.next() != nil { count += 1 }
        return count
    }
}
