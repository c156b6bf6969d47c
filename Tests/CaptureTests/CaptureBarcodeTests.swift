import Testing

@testable import Capture

/// The painter and reader against the definition in web/viewer.js (bar code version 1).
@Suite struct CaptureBarcodeTests {
    /// T = 1,700,000,000,123 ms = 0x0000_018B_CFE5_687B; CRC-8 (poly 0x07, init 0) of those 8 bytes
    /// is 0x4C (web/barcode.js `crc8` and Tests/e2e/barcode.py agree). Written out cell by cell.
    static let time: Int64 = 1_700_000_000_123
    static let expectedCells =
        "1010"  // start guard
        + "00000000" + "00000000" + "00000001" + "10001011"  // 00 00 01 8B
        + "11001111" + "11100101" + "01101000" + "01111011"  // CF E5 68 7B
        + "01001100"  // CRC 0x4C
        + "0101"  // stop guard

    @Test func crcMatchesTheStandardCheckValue() {
        // CRC-8/SMBUS (poly 0x07, init 0, no reflection, no xor out) of "123456789" is 0xF4.
        #expect(CaptureBarcode.crc8(Array("123456789".utf8)) == 0xF4)
        #expect(CaptureBarcode.crc8([0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B]) == 0x4C)
    }

    @Test func cellBitsFollowTheDefinition() {
        let bits = CaptureBarcode.cellBits(timeMs: Self.time).map { $0 == 1 ? "1" : "0" }.joined()
        #expect(bits == Self.expectedCells)
    }

    @Test(arguments: [(1280, 720), (640, 480), (1920, 1080)])
    func paintedBandMatchesTheDefinition(width: Int, height: Int) {
        var frame = I420Frame(width: width, height: height)
        // Start from a grey, coloured picture so that every painted value is visibly the painter's.
        frame.y = [UInt8](repeating: 128, count: frame.y.count)
        frame.u = [UInt8](repeating: 90, count: frame.u.count)
        frame.v = [UInt8](repeating: 200, count: frame.v.count)
        CaptureBarcode.paint(into: &frame, timeMs: Self.time)
        let band = max(4, width / 80)
        #expect(band == CaptureBarcode.bandHeight(width: width))
        let cells = Array(Self.expectedCells)
        for row in 0..<band {
            for i in 0..<80 {
                let expected: UInt8 = cells[i] == "1" ? 235 : 16
                for x in (i * width / 80)..<((i + 1) * width / 80) where frame.y[row * frame.strideY + x] != expected {
                    let found = frame.y[row * frame.strideY + x]
                    Issue.record("\(width)x\(height): luma \(found) at (\(x), \(row)), cell \(i) should be \(expected)")
                    return
                }
            }
        }
        // Quiet rows black, the row under them untouched.
        for row in band..<(band + band / 2) {
            #expect(frame.y[(row * frame.strideY)..<(row * frame.strideY + width)].allSatisfy { $0 == 16 })
        }
        #expect(frame.y[(band + band / 2) * frame.strideY] == 128)
        // Chroma neutral under the band and quiet rows.
        let chromaRows = (band + band / 2 + 1) / 2
        for plane in [frame.u, frame.v] {
            #expect(plane[0..<(chromaRows * frame.strideUV)].allSatisfy { $0 == 128 })
            #expect(plane[chromaRows * frame.strideUV] != 128)
        }
        #expect(BarcodeReader.read(frame) == Self.time)
    }

    @Test(arguments: [320, 333, 640, 1280, 1366, 1920, 3840])
    func roundTripsAtAnyWidth(width: Int) {
        let source = TestPatternSource(width: width, height: max(16, width * 9 / 16))
        for time: Int64 in [0, 1, Self.time, 1_712_345_678_901, (1 << 53) - 1] {
            #expect(BarcodeReader.read(source.frame(at: time, index: 7)) == time, "width \(width), time \(time)")
        }
    }

    @Test func readerRejectsWhatIsNotACode() {
        let blank = I420Frame(width: 1280, height: 720)
        #expect(BarcodeReader.read(blank) == nil)  // no contrast

        var corrupted = TestPatternSource().frame(at: Self.time, index: 0)
        // Flip data cell 40 (x 640..<656 at 1280 wide): the CRC no longer matches.
        let flipped: UInt8 = corrupted.y[640] == 235 ? 16 : 235
        for row in 0..<16 { for x in 640..<656 { corrupted.y[row * 1280 + x] = flipped } }
        #expect(BarcodeReader.read(corrupted) == nil)

        var guardBroken = TestPatternSource().frame(at: Self.time, index: 0)
        for row in 0..<16 { for x in 0..<16 { guardBroken.y[row * 1280 + x] = 16 } }
        #expect(BarcodeReader.read(guardBroken) == nil)

        // Too narrow for readers (their 320 px minimum), and ≥ 2^53 (beyond a JavaScript Number).
        #expect(BarcodeReader.read(TestPatternSource(width: 318, height: 200).frame(at: Self.time, index: 0)) == nil)
        #expect(BarcodeReader.read(TestPatternSource().frame(at: 1 << 53, index: 0)) == nil)
    }

    @Test func readerToleratesLevelShiftsAndNoise() {
        var frame = TestPatternSource().frame(at: Self.time, index: 3)
        // Full-range levels and ±20 of noise, as a decoder or converter might leave them.
        var state: UInt32 = 12345
        for i in 0..<(frame.strideY * 16) {
            state = state &* 1_103_515_245 &+ 12345
            let jitter = Int((state >> 16) % 41) - 20
            let level = frame.y[i] == 235 ? 250 : 5
            frame.y[i] = UInt8(clamping: level + jitter)
        }
        #expect(BarcodeReader.read(frame) == Self.time)
    }
}
