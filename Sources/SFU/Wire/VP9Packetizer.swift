/// Splits an encoded VP9 frame into RTP payloads (RFC 9628, non-flexible mode, one spatial and one
/// temporal layer) without allocating.
///
/// Every payload starts with a 3-byte descriptor: I = 1 with a 15-bit PictureID (M = 1), P = 1 on
/// inter-predicted frames, B on the first packet and E on the last; no layer indices (a single
/// layer), so receivers order frames by sequence number as for VP8. The first packet of a key frame
/// also carries the scalability structure (V = 1: one spatial layer, its resolution, no group of
/// frames) when the frame's size is known. Frame bytes are spread evenly (`RTPFrameSplit`), and
/// every payload (descriptor included) is at most `maxPayloadSize` bytes.
public struct VP9Packetizer: Sendable, Equatable, Sequence {
    /// Descriptor of every packet: flags and the 15-bit PictureID.
    public static let descriptorLength = 3
    /// The scalability structure the first packet of a key frame adds: N_S/Y/G, width, height.
    public static let scalabilityStructureLength = 5

    public let frameLength: Int
    public let maxPayloadSize: Int
    public let keyframe: Bool
    /// Carried in the key frame's scalability structure; nil leaves it out.
    public let size: VP9KeyframeSize?
    private let split: RTPFrameSplit

    /// Plans the packetization; nil if `maxPayloadSize` leaves no room for frame data, `frameLength`
    /// is negative, or the size does not fit the structure's 16-bit fields. Every packet gets the
    /// room of the largest descriptor, so the split stays even.
    public init?(frameLength: Int, maxPayloadSize: Int, keyframe: Bool, size: VP9KeyframeSize? = nil) {
        let structure = keyframe && size != nil ? VP9Packetizer.scalabilityStructureLength : 0
        if let size { guard (1...0xFFFF).contains(size.width), (1...0xFFFF).contains(size.height) else { return nil } }
        guard let split = RTPFrameSplit(frameLength: frameLength, capacity: maxPayloadSize - Self.descriptorLength - structure)
        else { return nil }
        self.split = split
        self.frameLength = frameLength
        self.maxPayloadSize = maxPayloadSize
        self.keyframe = keyframe
        self.size = keyframe ? size : nil
    }

    /// Number of packets the frame needs (0 for an empty frame).
    public var packetCount: Int { split.packetCount }

    /// The slice for packet `index` (0-based), or nil if out of range.
    public func packet(at index: Int) -> RTPFrameSlice? { split.slice(at: index) }

    /// Length of the descriptor `writeDescriptor` puts before `slice`'s bytes.
    public func descriptorLength(of slice: RTPFrameSlice) -> Int {
        Self.descriptorLength + (slice.isFirst && size != nil ? Self.scalabilityStructureLength : 0)
    }

    /// Writes the descriptor of `slice` at the start of `buffer`; returns its length.
    public func writeDescriptor(
        into buffer: UnsafeMutableRawBufferPointer, pictureID: UInt16, slice: RTPFrameSlice
    ) throws(RTPWriteError) -> Int {
        let length = descriptorLength(of: slice)
        guard buffer.count >= length else { throw .bufferTooSmall(needed: length) }
        let structure = slice.isFirst ? size : nil
        buffer[0] = 0x80  // I
            | (keyframe ? 0 : 0x40)  // P
            | (slice.isFirst ? 0x08 : 0)  // B
            | (slice.isLast ? 0x04 : 0)  // E
            | (structure != nil ? 0x02 : 0)  // V
        buffer[1] = 0x80 | UInt8((pictureID >> 8) & 0x7F)  // M + high 7 bits
        buffer[2] = UInt8(truncatingIfNeeded: pictureID)
        if let structure {
            buffer[3] = 0x10  // N_S = 0 (one spatial layer), Y = 1, G = 0
            buffer[4] = UInt8(truncatingIfNeeded: structure.width >> 8)
            buffer[5] = UInt8(truncatingIfNeeded: structure.width)
            buffer[6] = UInt8(truncatingIfNeeded: structure.height >> 8)
            buffer[7] = UInt8(truncatingIfNeeded: structure.height)
        }
        return length
    }

    /// Iterates the packet slices in order.
    public func makeIterator() -> RTPFrameSplit.Iterator { split.makeIterator() }
}
