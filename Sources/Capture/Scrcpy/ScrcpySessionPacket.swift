/// 4.1 video only: the 12-byte session packet sent before the first frame and at every encoder
/// restart (scrcpy.md §5.3): `0x80 00 00 0000000R`, width u32, height u32.
public struct ScrcpySessionPacket: Sendable, Hashable {
    public static let length = 12

    public var size: ScrcpyVideoSize
    /// R: the session exists because the client asked for RESIZE_DISPLAY (flex display), not because
    /// the display itself changed.
    public var clientResized: Bool

    public init(size: ScrcpyVideoSize, clientResized: Bool = false) {
        self.size = size
        self.clientResized = clientResized
    }

    /// Whether a 12-byte header is a session packet (4.1): bit 7 of its first byte.
    @inline(__always)
    public static func isSessionPacket(firstByte: UInt8) -> Bool { firstByte & 0x80 != 0 }

    /// Parses the first 12 bytes of `buffer`. Like the reference client it ignores the padding
    /// bits; it refuses a zero width or height as the reference client does.
    public init(parsing buffer: UnsafeRawBufferPointer) throws(ScrcpyProtocolError) {
        guard buffer.count >= Self.length else {
            throw .truncated(item: "session packet", needed: Self.length, available: buffer.count)
        }
        guard Self.isSessionPacket(firstByte: buffer[0]) else { throw .notASessionPacket }
        size = try ScrcpyVideoSize(checkedWidth: ScrcpyBytes.u32(buffer, 4), height: ScrcpyBytes.u32(buffer, 8))
        clientResized = buffer[3] & 1 != 0
    }

    public func write(to out: inout [UInt8]) {
        out.append(contentsOf: [0x80, 0, 0, clientResized ? 1 : 0])
        size.writeHeader(to: &out)
    }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.length)
        write(to: &out)
        return out
    }
}
