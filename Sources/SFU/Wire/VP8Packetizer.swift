/// One packet of a packetized VP8 frame (S = 1 on the first).
public typealias VP8PacketSlice = RTPFrameSlice

/// Splits an encoded VP8 frame into RTP payloads (RFC 7741) without allocating.
///
/// Every payload starts with a 4-byte descriptor: X = 1, I = 1, M = 1 with a
/// 15-bit PictureID, S = 1 on the first packet only, PID = 0. Frame bytes are
/// spread evenly (`RTPFrameSplit`), and every payload (descriptor included) is
/// at most `maxPayloadSize` bytes.
public struct VP8Packetizer: Sendable, Equatable, Sequence {
    /// Descriptor size written by `writeDescriptor`.
    public static let descriptorLength = 4

    /// Length of the encoded frame.
    public var frameLength: Int { split.frameLength }
    /// Maximum RTP payload size, descriptor included.
    public let maxPayloadSize: Int
    /// Number of packets the frame needs (0 for an empty frame).
    public var packetCount: Int { split.packetCount }
    private let split: RTPFrameSplit

    /// Plans the packetization; nil if `maxPayloadSize` leaves no room for frame
    /// data or `frameLength` is negative.
    public init?(frameLength: Int, maxPayloadSize: Int) {
        guard let split = RTPFrameSplit(frameLength: frameLength, capacity: maxPayloadSize - VP8Packetizer.descriptorLength)
        else { return nil }
        self.split = split
        self.maxPayloadSize = maxPayloadSize
    }

    /// The slice for packet `index` (0-based), or nil if out of range.
    public func packet(at index: Int) -> VP8PacketSlice? { split.slice(at: index) }

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
    public func makeIterator() -> RTPFrameSplit.Iterator { split.makeIterator() }
}
