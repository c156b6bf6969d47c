#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `testsrc` picture (streaming.md §5.1): 75 % colour bars, a box bouncing across them, a noise
/// window whose content jumps every frame (so the encoder has real work and the bitrate target is
/// exercised, as with a busy screen), the frame index in binary, and the capture-time bar code on top.
///
/// Pure: the picture depends only on (size, time, index). Everything is drawn as runs with
/// memset/memcpy, so rendering stays cheap even in debug builds.
public struct TestPatternSource: Sendable {
    public let width: Int
    public let height: Int
    /// Luma noise (1024×1024) the noise window copies from at a per-frame offset. Made once per
    /// process (a global is initialised lazily and thread-safely) and shared by every source.
    private static let noise: [UInt8] = {
        // xorshift: deterministic, no Foundation. ±32 around mid grey: enough detail that 4,000 kbit/s
        // is used at 720p, little enough that rate control can still meet 500 kbit/s at qp ≤ 56.
        var state: UInt32 = 0x9E37_79B9
        return (0..<(noiseSide * noiseSide)).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(96 + state % 65)
        }
    }()
    private static let noiseSide = 1024

    /// BT.601 limited-range (Y, Cb, Cr) of 75 % bars: white, yellow, cyan, green, magenta, red, blue, black.
    private static let bars: [(UInt8, UInt8, UInt8)] = [
        (180, 128, 128), (162, 44, 142), (131, 156, 44), (112, 72, 58),
        (84, 184, 198), (65, 100, 212), (35, 212, 114), (16, 128, 128),
    ]
    private static let counterBits = 16

    public init(width: Int = 1280, height: Int = 720) {
        precondition(width >= 16 && height >= 16, "test pattern needs at least 16x16, got \(width)x\(height)")
        self.width = width
        self.height = height
        _ = Self.noise.count  // builds the shared tile now rather than inside the first frame's tick
    }

    /// A new frame for capture time `timeMs` (ms since the epoch, painted as the bar code) and
    /// frame number `index` (drives the motion).
    public func frame(at timeMs: Int64, index: Int) -> I420Frame {
        var frame = I420Frame(width: width, height: height)
        render(into: &frame, timeMs: timeMs, index: index)
        return frame
    }

    /// Draws the same picture as `frame(at:index:)` into an existing frame of this size, reusing its planes.
    public func render(into frame: inout I420Frame, timeMs: Int64, index: Int) {
        precondition(frame.width == width && frame.height == height, "frame size differs from the source's")
        let top = min(height, CaptureBarcode.bandHeight(width: width) + CaptureBarcode.quietRows(width: width))
        let lowerTop = max(top, height * 2 / 3)
        // Bars from under the bar code to two thirds down; the lower third is black with the noise
        // window on the left and the frame counter on the right.
        for bar in 0..<Self.bars.count {
            let x0 = bar * width / Self.bars.count, x1 = (bar + 1) * width / Self.bars.count
            fill(&frame, x: x0..<x1, y: top..<lowerTop, colour: Self.bars[bar])
        }
        fill(&frame, x: 0..<width, y: lowerTop..<height, colour: Self.bars[7])
        drawNoise(&frame, x: 0..<(width / 4), y: lowerTop..<height, index: index)
        drawBox(&frame, top: top, bottom: lowerTop, index: index)
        drawCounter(&frame, y: lowerTop..<height, index: index)
        CaptureBarcode.paint(into: &frame, timeMs: timeMs)
    }

    /// A square an eighth of the height tall that bounces left and right, 8 px per frame.
    private func drawBox(_ frame: inout I420Frame, top: Int, bottom: Int, index: Int) {
        let side = max(2, height / 8) & ~1
        let travel = width - side
        guard travel > 0, bottom - top > side else { return }
        let step = (index * 8) % (2 * travel)
        let x = step < travel ? step : 2 * travel - step
        let y = top + (bottom - top - side) / 2
        fill(&frame, x: x..<(x + side), y: y..<(y + side), colour: (235, 128, 128))
        fill(&frame, x: (x + side / 4)..<(x + side * 3 / 4), y: (y + side / 4)..<(y + side * 3 / 4), colour: (81, 90, 240))
    }

    /// Grey noise copied from a different place of the noise tile every frame: not a translation,
    /// so motion search cannot predict it.
    private func drawNoise(_ frame: inout I420Frame, x: Range<Int>, y: Range<Int>, index: Int) {
        let side = Self.noiseSide
        let w = min(x.count, side)
        guard w > 0 else { return }
        let offsetX = (index &* 389) % (side - w + 1)
        let offsetY = (index &* 197) % side
        let strideY = frame.strideY
        Self.noise.withUnsafeBufferPointer { tile in
            frame.y.withUnsafeMutableBufferPointer { plane in
                guard let dst = plane.baseAddress, let src = tile.baseAddress else { return }
                for (n, row) in y.enumerated() {
                    memcpy(dst + row * strideY + x.lowerBound, src + ((offsetY + n) % side) * side + offsetX, w)
                }
            }
        }
    }

    /// The frame index as 16 binary cells (MSB left, white = 1) in the lower right corner.
    private func drawCounter(_ frame: inout I420Frame, y: Range<Int>, index: Int) {
        let cell = max(2, width / 40) & ~1
        let x0 = width - cell * Self.counterBits - cell
        let y0 = y.lowerBound + cell
        guard x0 >= 0, y0 + cell <= y.upperBound else { return }
        for bit in 0..<Self.counterBits {
            let on = (index >> (Self.counterBits - 1 - bit)) & 1 == 1
            let x = x0 + bit * cell
            fill(&frame, x: x..<(x + cell), y: y0..<(y0 + cell), colour: on ? (235, 128, 128) : (60, 128, 128))
        }
    }

    /// Fills a rectangle (clipped to the frame); chroma covers the 2×2 blocks the rectangle touches.
    private func fill(_ frame: inout I420Frame, x: Range<Int>, y: Range<Int>, colour: (UInt8, UInt8, UInt8)) {
        let x = x.clamped(to: 0..<frame.width), y = y.clamped(to: 0..<frame.height)
        guard !x.isEmpty, !y.isEmpty else { return }
        frame.fill(.y, rows: y, columns: x, value: colour.0)
        let cx = (x.lowerBound / 2)..<((x.upperBound + 1) / 2), cy = (y.lowerBound / 2)..<((y.upperBound + 1) / 2)
        frame.fill(.u, rows: cy, columns: cx, value: colour.1)
        frame.fill(.v, rows: cy, columns: cx, value: colour.2)
    }
}
