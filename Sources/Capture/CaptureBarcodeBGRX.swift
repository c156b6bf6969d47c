extension CaptureBarcode {
    /// White (bit 1) and black (bit 0) as 32-bit BGRX pixels: RGB 255 and 0, which BT.601
    /// limited-range conversion turns into the luma 235 and 16 that `paint(into:timeMs:)` writes.
    public static let whiteBGRX: UInt32 = 0x00FF_FFFF
    public static let blackBGRX: UInt32 = 0x0000_0000

    /// Paints the band and its black quiet rows into the top of a BGRX picture (4 bytes a pixel,
    /// B, G, R, X in memory; rows `stride` bytes apart), for sources that draw on an X display
    /// rather than into I420. Same cells as `paint(into:timeMs:)`; rows past `height` are not touched.
    public static func paint(bgrx pixels: UnsafeMutableRawBufferPointer, width: Int, height: Int, stride: Int, timeMs: Int64) {
        let band = min(bandHeight(width: width), height)
        let rows = min(band + quietRows(width: width), height)
        guard width > 0, rows > 0, stride >= width * 4, pixels.count >= (rows - 1) * stride + width * 4 else { return }
        let value = UInt64(bitPattern: timeMs), crc = crc8(of: value)
        for y in 0..<rows {
            let row = (pixels.baseAddress! + y * stride).bindMemory(to: UInt32.self, capacity: width)
            if y >= band {
                row.update(repeating: blackBGRX, count: width)
                continue
            }
            for i in 0..<cells {
                let start = cellStart(i, width: width)
                let colour = cellBit(i, value: value, crc: crc) == 1 ? whiteBGRX : blackBGRX
                (row + start).update(repeating: colour, count: cellStart(i + 1, width: width) - start)
            }
        }
    }
}
