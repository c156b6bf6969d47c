/// A position in video-frame pixels stamped with the screen (video) size it was computed for
/// (scrcpy.md §6.4). The server silently drops touch and scroll events whose stamped size is not
/// its current video size, so the size must be the latest session's.
public struct ScrcpyPosition: Hashable, Sendable {
    public var x: Int32
    public var y: Int32
    public var screenWidth: UInt16
    public var screenHeight: UInt16

    public init(x: Int32, y: Int32, screenWidth: UInt16, screenHeight: UInt16) {
        self.x = x
        self.y = y
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
    }

    /// 12 bytes: x i32, y i32, width u16, height u16.
    static let length = 12

    func write(to out: inout [UInt8]) {
        ScrcpyBytes.append(UInt32(bitPattern: x), to: &out)
        ScrcpyBytes.append(UInt32(bitPattern: y), to: &out)
        ScrcpyBytes.append(screenWidth, to: &out)
        ScrcpyBytes.append(screenHeight, to: &out)
    }

    init(reading b: UnsafeRawBufferPointer, at o: Int) {
        x = Int32(bitPattern: ScrcpyBytes.u32(b, o))
        y = Int32(bitPattern: ScrcpyBytes.u32(b, o + 4))
        screenWidth = ScrcpyBytes.u16(b, o + 8)
        screenHeight = ScrcpyBytes.u16(b, o + 10)
    }
}
