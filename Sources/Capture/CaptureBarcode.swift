/// The capture-time bar code, version 1, exactly as defined in the comment block at the top of
/// web/viewer.js (and implemented by web/barcode.js and Tests/e2e/barcode.py): 80 cells across the
/// top band, start guard 1010, 64 bits of capture time (ms since the Unix epoch, MSB first), CRC-8
/// (poly 0x07, init 0) of those 8 big-endian bytes, stop guard 0101, black quiet rows under the band.
/// `BarcodeReader` reads it back.
public enum CaptureBarcode {
    public static let cells = 80
    static let start: [UInt8] = [1, 0, 1, 0]
    static let stop: [UInt8] = [0, 1, 0, 1]
    static let dataOffset = 4
    static let crcOffset = 68
    static let stopOffset = 76
    /// Luma of a white (bit 1) and black (bit 0) cell: what BT.601 limited-range conversion makes of
    /// RGB 255 and 0, so a browser renders them back as pure white and black.
    public static let whiteLuma: UInt8 = 235
    public static let blackLuma: UInt8 = 16
    static let neutralChroma: UInt8 = 128

    /// Band height B = max(4, floor(W / 80)).
    public static func bandHeight(width: Int) -> Int { max(4, width / cells) }

    /// Quiet rows under the band: floor(B / 2).
    public static func quietRows(width: Int) -> Int { bandHeight(width: width) / 2 }

    /// Cell i spans columns [cellStart(i), cellStart(i + 1)).
    public static func cellStart(_ i: Int, width: Int) -> Int { i * width / cells }

    /// CRC-8, polynomial 0x07, initial value 0, no reflection, no final XOR.
    public static func crc8<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt8 {
        bytes.reduce(0, crc8Step)
    }

    private static func crc8Step(_ crc: UInt8, _ byte: UInt8) -> UInt8 {
        var crc = crc ^ byte
        for _ in 0..<8 { crc = crc & 0x80 != 0 ? (crc << 1) ^ 0x07 : crc << 1 }
        return crc
    }

    /// The 80 cell values (0 or 1) for a capture time in ms since the epoch.
    public static func cellBits(timeMs: Int64) -> [UInt8] {
        let value = UInt64(bitPattern: timeMs), crc = crc8(of: value)
        return (0..<cells).map { cellBit($0, value: value, crc: crc) }
    }

    /// CRC-8 of a 64-bit value's 8 bytes, big-endian (no array: painted every frame).
    static func crc8(of value: UInt64) -> UInt8 {
        var crc: UInt8 = 0
        for shift in stride(from: 56, through: 0, by: -8) {
            crc = crc8Step(crc, UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
        return crc
    }

    /// Cell i of the code for `value` whose CRC is `crc`.
    static func cellBit(_ i: Int, value: UInt64, crc: UInt8) -> UInt8 {
        switch i {
        case 0..<dataOffset: start[i]
        case dataOffset..<crcOffset: UInt8(truncatingIfNeeded: value >> UInt64(crcOffset - 1 - i)) & 1
        case crcOffset..<stopOffset: (crc >> UInt8(stopOffset - 1 - i)) & 1
        default: stop[i - stopOffset]
        }
    }

    /// Paints the band and its black quiet rows into the top of `frame` (luma 235/16, chroma
    /// neutral under the band and quiet rows). Frames narrower than the readers' 320 px minimum
    /// are painted all the same; readers ignore them.
    public static func paint(into frame: inout I420Frame, timeMs: Int64) {
        let width = frame.width
        let band = min(bandHeight(width: width), frame.height)
        let rows = min(band + quietRows(width: width), frame.height)
        let value = UInt64(bitPattern: timeMs), crc = crc8(of: value)
        for i in 0..<cells {
            let columns = cellStart(i, width: width)..<cellStart(i + 1, width: width)
            let luma = cellBit(i, value: value, crc: crc) == 1 ? whiteLuma : blackLuma
            frame.fill(.y, rows: 0..<band, columns: columns, value: luma)
        }
        frame.fill(.y, rows: band..<rows, columns: 0..<width, value: blackLuma)
        // A chroma row covers two luma rows: neutral for every one that touches the band or the quiet rows.
        let chromaRows = 0..<min((rows + 1) / 2, frame.chromaHeight)
        frame.fill(.u, rows: chromaRows, columns: 0..<frame.chromaWidth, value: neutralChroma)
        frame.fill(.v, rows: chromaRows, columns: 0..<frame.chromaWidth, value: neutralChroma)
    }
}
