/// One packet's share of an encoded frame split over RTP packets.
public struct RTPFrameSlice: Sendable, Equatable {
    /// Byte range of the encoded frame carried by this packet (after the payload descriptor).
    public var frameRange: Range<Int>
    /// First packet of the frame.
    public var isFirst: Bool
    /// Last packet of the frame (the caller sets the RTP marker bit).
    public var isLast: Bool
}

/// Splits a frame of `frameLength` bytes into as few packets of at most `capacity` frame bytes as
/// possible, spreading the bytes evenly (packet sizes differ by at most one byte) so that no tiny
/// tail packet is sent. Shared by the VP8 and VP9 packetizers; allocates nothing.
public struct RTPFrameSplit: Sendable, Equatable, Sequence {
    public let frameLength: Int
    /// Number of packets the frame needs (0 for an empty frame).
    public let packetCount: Int

    /// nil when `capacity` leaves no room for frame data or `frameLength` is negative.
    public init?(frameLength: Int, capacity: Int) {
        guard capacity >= 1, frameLength >= 0 else { return nil }
        self.frameLength = frameLength
        self.packetCount = frameLength / capacity + (frameLength % capacity == 0 ? 0 : 1)
    }

    /// The slice for packet `index` (0-based), or nil if out of range.
    public func slice(at index: Int) -> RTPFrameSlice? {
        guard index >= 0, index < packetCount else { return nil }
        let base = frameLength / packetCount
        let extra = frameLength % packetCount  // the first `extra` packets carry one more byte
        let start = index * base + Swift.min(index, extra)
        let size = base + (index < extra ? 1 : 0)
        return RTPFrameSlice(frameRange: start..<(start + size), isFirst: index == 0, isLast: index == packetCount - 1)
    }

    public func makeIterator() -> Iterator { Iterator(split: self) }

    public struct Iterator: IteratorProtocol, Sendable {
        let split: RTPFrameSplit
        var index = 0

        public mutating func next() -> RTPFrameSlice? {
            defer { index += 1 }
            return split.slice(at: index)
        }
    }
}
