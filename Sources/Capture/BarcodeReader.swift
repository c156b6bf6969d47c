/// Reads the capture-time bar code (`CaptureBarcode`, viewer.js version 1) from a luma plane with
/// the reference algorithm of web/barcode.js and Tests/e2e/barcode.py: mean luma of the middle half
/// of each cell (x) and of the band (y); white and black levels from the guard cells; contrast < 80
/// → no code; threshold halfway; guards and CRC must match; values ≥ 2^53 rejected.
public enum BarcodeReader {
    static let minimumContrast = 80.0
    static let minimumWidth = 320

    /// The capture time in ms, or nil when the top rows hold no valid code.
    /// `luma` holds at least `height` rows of `stride` bytes (any range: limited or full).
    public static func read(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, stride: Int) -> Int64? {
        guard width >= minimumWidth, stride >= width else { return nil }
        let cells = CaptureBarcode.cells
        let band = CaptureBarcode.bandHeight(width: width)
        guard height >= band, luma.count >= (band - 1) * stride + width else { return nil }
        let y0 = band / 4
        let y1 = max(y0 + 1, (band * 3 + 3) / 4)
        var levels = [Double](repeating: 0, count: cells)
        for i in 0..<cells {
            let a = CaptureBarcode.cellStart(i, width: width), b = CaptureBarcode.cellStart(i + 1, width: width)
            let w = b - a
            let x0 = a + w / 4
            let x1 = max(x0 + 1, b - w / 4)
            var sum = 0
            for y in y0..<y1 {
                let row = y * stride
                for x in x0..<x1 { sum += Int(luma[row + x]) }
            }
            levels[i] = Double(sum) / Double((y1 - y0) * (x1 - x0))
        }
        // Guards: start 1010 and stop 0101, so each level is the mean of four cells.
        var white = 0.0, black = 0.0
        for k in 0..<4 {
            let stopLevel = levels[CaptureBarcode.stopOffset + k]
            if CaptureBarcode.start[k] == 1 { white += levels[k] } else { black += levels[k] }
            if CaptureBarcode.stop[k] == 1 { white += stopLevel } else { black += stopLevel }
        }
        white /= 4
        black /= 4
        guard white - black >= minimumContrast else { return nil }
        let threshold = (white + black) / 2
        let bits = levels.map { $0 >= threshold ? UInt8(1) : 0 }
        guard Array(bits[0..<4]) == CaptureBarcode.start,
            Array(bits[CaptureBarcode.stopOffset..<cells]) == CaptureBarcode.stop
        else { return nil }
        var value: UInt64 = 0
        for bit in bits[CaptureBarcode.dataOffset..<CaptureBarcode.crcOffset] { value = value << 1 | UInt64(bit) }
        var crc: UInt8 = 0
        for bit in bits[CaptureBarcode.crcOffset..<CaptureBarcode.stopOffset] { crc = crc << 1 | bit }
        guard crc == CaptureBarcode.crc8(of: value), value < 1 << 53 else { return nil }
        return Int64(value)
    }

    /// Reads the code from a frame's luma plane.
    public static func read(_ frame: I420Frame) -> Int64? {
        frame.y.withUnsafeBufferPointer { read(luma: $0, width: frame.width, height: frame.height, stride: frame.strideY) }
    }
}
