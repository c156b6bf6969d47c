/// A video size in pixels: the current size that touch and scroll messages must carry. On 3.3.4 it
/// is also the 8-byte header (`width u32, height u32`) sent once after the video codec id.
public struct ScrcpyVideoSize: Sendable, Hashable, CustomStringConvertible {
    /// Length of the 3.3.4 size header.
    public static let headerLength = 8

    public var width: UInt32
    public var height: UInt32

    public init(width: UInt32, height: UInt32) {
        self.width = width
        self.height = height
    }

    /// Parses the 3.3.4 size header from the first 8 bytes of `buffer`. Zero dimensions are refused:
    /// no encoder produces them and touch events stamped with them would be dropped.
    public init(parsingHeader buffer: UnsafeRawBufferPointer) throws(ScrcpyProtocolError) {
        guard buffer.count >= Self.headerLength else {
            throw .truncated(item: "video size header", needed: Self.headerLength, available: buffer.count)
        }
        try self.init(checkedWidth: ScrcpyBytes.u32(buffer, 0), height: ScrcpyBytes.u32(buffer, 4))
    }

    init(checkedWidth width: UInt32, height: UInt32) throws(ScrcpyProtocolError) {
        guard width != 0, height != 0 else { throw .invalidVideoSize(width: width, height: height) }
        self.init(width: width, height: height)
    }

    /// Appends the 3.3.4 size header.
    public func writeHeader(to out: inout [UInt8]) {
        ScrcpyBytes.append(width, to: &out)
        ScrcpyBytes.append(height, to: &out)
    }

    public var description: String { "\(width)x\(height)" }
}
