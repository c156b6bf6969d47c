import Foundation

/// Full-screen motion, like a video playing full screen: a colourful smooth background panning in
/// two directions (up to ~240 px/s), hard-edged shapes moving across it on their own paths, and
/// fresh low-amplitude grain over everything every tick (as camera noise is), so that no block of
/// the screen is ever the same twice. Motion is set per second: any drawing rate shows the same video. The background is computed once, larger than the screen;
/// a tick copies a window of it, draws the shapes and adds the grain.
struct VideoScene: BusyScene {
    /// How far the background pans each way.
    static let margin = 192
    /// Grain table: 2^20 pixels with 0...11 per channel, read from a new offset every tick.
    static let grainBits = 20
    /// Background channels stay within 16...224 so that adding grain never carries into the next.
    static let maxLevel = 224.0

    private struct Shape {
        var width: Int
        var height: Int
        var round: Bool
        var colour: UInt32
        var centreX: Double, centreY: Double
        var amplitudeX: Double, amplitudeY: Double
        var speedX: Double, speedY: Double  // radians per second
        var phase: Double
    }

    let width: Int
    let height: Int
    let framesPerSecond: Int
    private let backgroundWidth: Int
    private let background: [UInt32]
    private let grain: [UInt32]
    private let shapes: [Shape]

    init(width: Int, height: Int, framesPerSecond: Int) {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        let m = Self.margin
        backgroundWidth = width + 2 * m
        let backgroundHeight = height + 2 * m
        var background = [UInt32](repeating: 0, count: backgroundWidth * backgroundHeight)
        func level(_ v: Double) -> UInt32 { UInt32(max(16, min(Self.maxLevel, 120 + 100 * v))) }
        for y in 0..<backgroundHeight {
            let fy = Double(y)
            for x in 0..<backgroundWidth {
                let fx = Double(x)
                let r = level(sin(fx / 83 + fy / 197) * cos(fy / 311))
                let g = level(sin(fy / 61 - fx / 257 + 2))
                let b = level(sin((fx + fy) / 139 + 4) * cos(fx / 401 - 1))
                background[y * backgroundWidth + x] = r << 16 | g << 8 | b
            }
        }
        self.background = background
        var random = SplitMix64(seed: 0x51DE_0000)
        grain = (0..<(1 << Self.grainBits)).map { _ in
            let v = random.next()
            return UInt32(v % 12) << 16 | UInt32((v >> 8) % 12) << 8 | UInt32((v >> 16) % 12)
        }
        shapes = (0..<10).map { _ in
            let size = 60 + random.next(below: 260)
            return Shape(
                width: size, height: 40 + random.next(below: 260), round: random.next(below: 2) == 0,
                colour: UInt32(16 + random.next(below: 208)) << 16 | UInt32(16 + random.next(below: 208)) << 8
                    | UInt32(16 + random.next(below: 208)),
                centreX: Double(random.next(below: max(1, width))), centreY: Double(random.next(below: max(1, height))),
                amplitudeX: Double(width) * (0.1 + Double(random.next(below: 30)) / 100),
                amplitudeY: Double(height) * (0.1 + Double(random.next(below: 30)) / 100),
                speedX: 0.3 + Double(random.next(below: 40)) * 0.03, speedY: 0.3 + Double(random.next(below: 40)) * 0.03,
                phase: Double(random.next(below: 628)) / 100)
        }
    }

    mutating func draw(tick: Int64, into pixels: UnsafeMutableBufferPointer<UInt32>) {
        let base = pixels.baseAddress!
        let t = Double(tick) / Double(framesPerSecond), m = Double(Self.margin - 1)
        let panX = Self.margin + Int(m * sin(t * 2 * .pi / 5))
        let panY = Self.margin + Int(m * sin(t * 2 * .pi / 7 + 1))
        background.withUnsafeBufferPointer { source in
            for y in 0..<height {
                (base + y * width).update(from: source.baseAddress! + (panY + y) * backgroundWidth + panX, count: width)
            }
        }
        for shape in shapes { draw(shape, at: t, into: base) }
        addGrain(offset: Int(truncatingIfNeeded: SplitMix64.mix(UInt64(tick)) >> 1), into: pixels)
    }

    private func draw(_ shape: Shape, at t: Double, into base: UnsafeMutablePointer<UInt32>) {
        let left = Int(shape.centreX + shape.amplitudeX * sin(shape.speedX * t + shape.phase)) - shape.width / 2
        let top = Int(shape.centreY + shape.amplitudeY * cos(shape.speedY * t + shape.phase)) - shape.height / 2
        for row in 0..<shape.height {
            let y = top + row
            guard y >= 0, y < height else { continue }
            var from = left, to = left + shape.width
            if shape.round {  // an ellipse: the row's span
                let dy = (Double(row) + 0.5) / Double(shape.height) * 2 - 1
                let half = Double(shape.width) / 2 * (1 - dy * dy).squareRoot()
                from = left + shape.width / 2 - Int(half)
                to = left + shape.width / 2 + Int(half)
            }
            from = max(0, from)
            to = min(width, to)
            if to > from { (base + y * width + from).update(repeating: shape.colour, count: to - from) }
        }
    }

    /// Adds the grain table, read from `offset` on (wrapping), to every pixel: runs of contiguous
    /// adds, which the compiler vectorises.
    private func addGrain(offset: Int, into pixels: UnsafeMutableBufferPointer<UInt32>) {
        let mask = (1 << Self.grainBits) - 1
        grain.withUnsafeBufferPointer { grain in
            var done = 0, index = offset & mask
            while done < pixels.count {
                let run = min(pixels.count - done, grain.count - index)
                let target = pixels.baseAddress! + done, source = grain.baseAddress! + index
                for k in 0..<run { target[k] &+= source[k] }
                done += run
                index = 0
            }
        }
    }
}
