import Testing

@testable import Capture

/// The BGRX painter (bench/desktop's `clock` scene) against the I420 painter's layout: the same
/// cells, and what the desktop pipeline's converter makes of it reads back with `BarcodeReader`.
@Suite struct CaptureBarcodeBGRXTests {
    static let time: Int64 = 1_700_000_000_123

    /// A busy coloured picture (so every painted pixel is visibly the painter's), `stride` padded.
    static func picture(width: Int, height: Int, stride: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: stride * height)
        for y in 0..<height {
            for x in 0..<width {
                let p = y * stride + x * 4
                bytes[p] = UInt8(truncatingIfNeeded: x &* 7)
                bytes[p + 1] = UInt8(truncatingIfNeeded: y &* 3)
                bytes[p + 2] = UInt8(truncatingIfNeeded: x ^ y)
                bytes[p + 3] = 0x5A
            }
        }
        return bytes
    }

    @Test(arguments: [(1280, 720), (1920, 1080), (333, 200)])
    func paintedBandReadsBackThroughTheConverter(width: Int, height: Int) throws {
        let stride = width * 4 + 64
        var bytes = Self.picture(width: width, height: height, stride: stride)
        let untouched = bytes
        bytes.withUnsafeMutableBytes {
            CaptureBarcode.paint(bgrx: $0, width: width, height: height, stride: stride, timeMs: Self.time)
        }
        let band = CaptureBarcode.bandHeight(width: width)
        let rows = band + CaptureBarcode.quietRows(width: width)
        // Column x belongs to cell i when floor(i·W/80) <= x < floor((i+1)·W/80) (viewer.js).
        var bandColumn = [UInt8](repeating: 0, count: width)
        for (i, bit) in CaptureBarcode.cellBits(timeMs: Self.time).enumerated() {
            for x in (i * width / 80)..<((i + 1) * width / 80) { bandColumn[x] = bit == 1 ? 255 : 0 }
        }
        for y in 0..<rows {
            for x in 0..<width {
                let expected: UInt8 = y < band ? bandColumn[x] : 0
                let p = y * stride + x * 4
                guard bytes[p] == expected, bytes[p + 1] == expected, bytes[p + 2] == expected else {
                    Issue.record("\(width)x\(height): pixel (\(x), \(y)) is \(Array(bytes[p..<p + 3])), wants \(expected)")
                    return
                }
            }
        }
        // Nothing under the quiet rows, nor the row padding, was touched.
        #expect(bytes[(rows * stride)...] == untouched[(rows * stride)...])
        #expect((0..<rows).allSatisfy { y in bytes[(y * stride + width * 4)..<((y + 1) * stride)] == untouched[(y * stride + width * 4)..<((y + 1) * stride)] })

        var converter = BGRXConverter()
        try bytes.withUnsafeBytes {
            try converter.convert(X11Image(base: $0.baseAddress!, width: width, height: height, stride: stride, format: .bgrx))
        }
        let frame = try #require(converter.frame)
        #expect(BarcodeReader.read(frame) == (width >= 320 ? Self.time : nil))
    }

    @Test func shortPicturesAreClippedNotOverrun() {
        // 1920 wide: band 24 rows + 12 quiet rows; a 10-row buffer gets 10 rows of band and no more.
        let width = 1920, stride = width * 4
        var bytes = [UInt8](repeating: 0x77, count: stride * 10)
        bytes.withUnsafeMutableBytes {
            CaptureBarcode.paint(bgrx: $0, width: width, height: 10, stride: stride, timeMs: Self.time)
        }
        #expect(bytes[0..<4] == [255, 255, 255, 0])  // start guard cell 0 is white
        #expect(bytes[(9 * stride + 24 * 4)..<(9 * stride + 24 * 4 + 4)] == [0, 0, 0, 0])  // cell 1 black
    }
}
