import Testing

@testable import Capture

/// Pure pixel helpers: row-hash change detection, pixel layout classification, BGRX → I420.
@Suite struct DesktopPixelTests {
    /// A BGRX buffer of one colour with `stride` ≥ width × 4 (padding filled with junk).
    static func bgrx(width: Int, height: Int, stride: Int, b: UInt8, g: UInt8, r: UInt8) -> [UInt8] {
        var buffer = [UInt8](repeating: 0xee, count: stride * height)
        for row in 0..<height {
            for column in 0..<width {
                let i = row * stride + column * 4
                buffer[i] = b
                buffer[i + 1] = g
                buffer[i + 2] = r
                buffer[i + 3] = 0
            }
        }
        return buffer
    }

    @Test func rowHashSeesChangesAndOnlyChanges() {
        var hasher = FrameRowHasher()
        let width = 64, height = 48, stride = 64 * 4 + 16
        var buffer = Self.bgrx(width: width, height: height, stride: stride, b: 10, g: 20, r: 30)
        func update() -> Bool {
            buffer.withUnsafeBytes {
                hasher.update(base: $0.baseAddress!, width: width, height: height, stride: stride, bytesPerPixel: 4)
            }
        }
        #expect(update())  // first frame
        #expect(hasher.changedRows == height)
        #expect(!update())  // identical
        buffer[17 * stride + 63 * 4 + 2] = 31  // last pixel's red in row 17
        #expect(update())
        #expect(hasher.changedRows == 1)
        #expect(!update())
        buffer[5 * stride + width * 4 + 3] = 0x11  // row padding: ignored
        #expect(!update())
        hasher.reset()
        #expect(update())
        // A new size is a change.
        #expect(
            buffer.withUnsafeBytes {
                hasher.update(base: $0.baseAddress!, width: 32, height: 48, stride: stride, bytesPerPixel: 4)
            })
    }

    @Test func pixelLayouts() throws {
        #expect(
            try X11PixelFormat.classify(bitsPerPixel: 32, lsbFirst: true, red: 0xff0000, green: 0xff00, blue: 0xff)
                == .bgrx)
        #expect(
            try X11PixelFormat.classify(bitsPerPixel: 32, lsbFirst: true, red: 0xff, green: 0xff00, blue: 0xff0000)
                == .rgbx)
        #expect(
            try X11PixelFormat.classify(bitsPerPixel: 32, lsbFirst: false, red: 0xff0000, green: 0xff00, blue: 0xff)
                == .xrgb)
        #expect(
            try X11PixelFormat.classify(bitsPerPixel: 16, lsbFirst: true, red: 0xf800, green: 0x7e0, blue: 0x1f)
                == .rgb565)
        #expect(throws: DesktopCaptureError.self) {
            try X11PixelFormat.classify(bitsPerPixel: 24, lsbFirst: true, red: 0xff0000, green: 0xff00, blue: 0xff)
        }
        #expect(throws: DesktopCaptureError.self) {
            try X11PixelFormat.classify(bitsPerPixel: 32, lsbFirst: true, red: 0x3ff00000, green: 0xffc00, blue: 0x3ff)  // 10 bit
        }
    }

    /// Pure red → BT.601 limited range: Y 82, Cb 90, Cr 240 (libyuv's integer coefficients).
    @Test func convertsRedToLimitedRangeI420AndCropsOddSizes() throws {
        let width = 33, height = 17, stride = 33 * 4
        let buffer = Self.bgrx(width: width, height: height, stride: stride, b: 0, g: 0, r: 255)
        var converter = BGRXConverter()
        try buffer.withUnsafeBytes {
            try converter.convert(
                X11Image(base: $0.baseAddress!, width: width, height: height, stride: stride, format: .bgrx))
        }
        do {
            let frame = try #require(converter.frame)
            #expect(frame.width == 32 && frame.height == 16)  // odd sizes cropped by one
            #expect(frame.y.allSatisfy { abs(Int($0) - 82) <= 1 })
            #expect(frame.u.allSatisfy { abs(Int($0) - 90) <= 1 })
            #expect(frame.v.allSatisfy { abs(Int($0) - 240) <= 1 })
        }

        // Same size again: the planes are reused, not reallocated.
        let before = converter.frame?.y.withUnsafeBufferPointer { $0.baseAddress }
        let gray = Self.bgrx(width: width, height: height, stride: stride, b: 128, g: 128, r: 128)
        try gray.withUnsafeBytes {
            try converter.convert(
                X11Image(base: $0.baseAddress!, width: width, height: height, stride: stride, format: .bgrx))
        }
        #expect(converter.frame?.y.withUnsafeBufferPointer { $0.baseAddress } == before)
        let again = try #require(converter.frame)
        #expect(again.u.allSatisfy { abs(Int($0) - 128) <= 1 } && again.y.allSatisfy { abs(Int($0) - 126) <= 2 })
    }
}
