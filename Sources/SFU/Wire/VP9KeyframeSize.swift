/// The picture size in a VP9 key frame's uncompressed header (VP9 bitstream spec §6.2: frame marker,
/// profile, show_existing_frame, frame_type, show_frame, error_resilient_mode, sync code 0x498342,
/// color config, then frame_width_minus_1 and frame_height_minus_1 as 16-bit fields). The
/// packetizer puts it in the scalability structure, which lets receivers size their decoder from
/// the first packet. nil for anything but a well-formed key frame header.
public struct VP9KeyframeSize: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public init?(frame: UnsafeRawBufferPointer) {
        var bits = BitReader(bytes: frame)
        guard bits.read(2) == 0b10 else { return nil }  // frame_marker
        let profileLow = bits.read(1), profileHigh = bits.read(1)
        guard let low = profileLow, let high = profileHigh else { return nil }
        let profile = high << 1 | low
        if profile == 3 { guard bits.read(1) == 0 else { return nil } }
        guard bits.read(1) == 0,  // show_existing_frame
            bits.read(1) == 0,  // frame_type: KEY_FRAME
            bits.read(2) != nil,  // show_frame, error_resilient_mode
            bits.read(24) == 0x49_8342  // frame_sync_code
        else { return nil }
        if profile >= 2 { guard bits.read(1) != nil else { return nil } }  // ten_or_twelve_bit
        guard let colorSpace = bits.read(3) else { return nil }
        if colorSpace != 7 {  // not CS_RGB: color_range, then subsampling for profiles 1 and 3
            guard bits.read(1) != nil else { return nil }
            if profile == 1 || profile == 3 { guard bits.read(3) != nil else { return nil } }
        } else if profile == 1 || profile == 3 {
            guard bits.read(1) != nil else { return nil }
        }
        guard let widthMinusOne = bits.read(16), let heightMinusOne = bits.read(16) else { return nil }
        self.init(width: widthMinusOne + 1, height: heightMinusOne + 1)
    }

    /// MSB-first bit reader over a byte buffer.
    private struct BitReader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        mutating func read(_ count: Int) -> Int? {
            guard position + count <= bytes.count * 8 else { return nil }
            var value = 0
            for _ in 0..<count {
                let bit = Int(bytes[position >> 3] >> (7 - UInt8(position & 7))) & 1
                value = value << 1 | bit
                position += 1
            }
            return value
        }
    }
}
