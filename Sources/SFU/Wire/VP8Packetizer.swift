/// One packet of a packetized VP8 frame.
public struct VP8PacketSlice: Sendable, Equatable {
    /// Byte range of the encoded frame carried by this packet (after the descriptor).
    public var frameRange: Range<Int>
    /// First packet of the frame (descriptor S = 1).
    public var isFirst: Bool
    /// Last packet of the frame (the caller sets the RTP marker bit).
    public var isLast: Bool
}

/// Splits an encoded VP8 frame into RTP payloads (RFC 7741) without allocating.
///
/// Every payload starts with a 4-byte descriptor: X = 1, I = 1, M = 1 with a
/// 15-bit PictureID, S = 1 on the first packet only, PID = 0. Frame bytes are
/// spread evenly so packet sizes differ by at most one byte, and every payload
/// (descriptor included) is at most `maxPayloadSize` bytes.
public struct VP8Packetizer: Sendable, Equatable, Sequence {
    /// Descriptor size written by `writeDescriptor`.
    public static let descriptorLength = 4

    /// Length of the encoded frame.
    public let frameLength: Int
    /// Maximum RTP payload size, descriptor included.
    public let maxPayloadSize: Int
    /// Number of packets the frame needs (0 for an empty frame).
    public let packetCount: Int

    /// Plans the packetization; nil if `maxPayloadSize` leaves no room for frame
    /// data or `frameLength` is negative.
    public init?(frameLength: Int, maxPayloadSize: Int) {
        let capacity = maxPayloadSize - VP8Packetizer.descriptorLength
        guard capacity >= 1, frameLength >= 0 else { return nil }
        self.frameLength = frameLength
        self.maxPayloadSize = maxPayloadSize
        self.packetCount = frameLength / capacity + (frameLength % capacity == 0 ? 0 : 1)
    }

    /// The slice for packet `index` (0-based), or nil if out of range.
    public func packet(at index: Int) -> VP8PacketSlice? {
        guard index >= 0, index < packetCount else { return nil }
        let base = frameLength / packetCount
        let extra = frameLength % packetCount  // the first `extra` packets carry one more byte
        let start = index * base + Swift.min(index, extra)
        let size = base + (index < extra ? 1 : 0)
        return VP8PacketSlice(frameRange: start..<(start + size), isFirst: index == 0, isLast: index == packetCount - 1)
    }

    /// Writes the 4-byte descriptor at the start of `buffer`; returns 4.
    public static func writeDescriptor(
        into buffer: UnsafeMutableRawBufferPointer, pictureID: UInt16, start: Bool
    ) throws(RTPWriteError) -> Int {
        guard buffer.count >= descriptorLength else { throw .bufferTooSmall(needed: descriptorLength) }
        buffer[0] = 0x80 | (start ? 0x10 : 0)  // X, S, PID = 0
        buffer[1] = 0x80  // I
        buffer[2] = 0x80 | UInt8((pictureID >> 8) & 0x7F)  // M + high 7 bits
        buffer[3] = UInt8(truncatingIfNeeded: pictureID)
        return descriptorLength
    }

    /// Writes the full payload of packet `index` (descriptor + frame bytes) into
    /// `buffer`; returns its length.
    public func writePayload(
        index: Int, frame: UnsafeRawBufferPointer, pictureID: UInt16, into buffer: UnsafeMutableRawBufferPointer
    ) throws(RTPWriteError) -> Int {
        guard frame.count == frameLength, let slice = packet(at: index) else { throw .invalidValue }
        let total = VP8Packetizer.descriptorLength + slice.frameRange.count
        guard buffer.count >= total else { throw .bufferTooSmall(needed: total) }
        _ = try VP8Packetizer.writeDescriptor(into: buffer, pictureID: pictureID, start: slice.isFirst)
        RTPBytes.copy(UnsafeRawBufferPointer(rebasing: frame[slice.frameRange]), into: buffer, at: VP8Packetizer.descriptorLength)
        return total
    }

    /// Iterates the packet slices in order.
    public func makeIterator() -> Iterator { Iterator(packetizer: self) }

    /// Iterator over `VP8PacketSlice`s.
    public struct Iterator: IteratorProtocol, Sendable {
        let packetizer: VP8Packetizer
        var index = 0

        /// The next slice, or nil.
        public mutating func next() -> VP8PacketSlice? {
            defer { index += 1 }
            return packetizer.packet(at: index)
        }
    }
}
