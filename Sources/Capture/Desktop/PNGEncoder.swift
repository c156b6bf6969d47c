/// A minimal, dependency-free PNG encoder for small RGBA images (cursor shapes, capture.md §1.5):
/// 8-bit RGBA (colour type 6), no interlace, filter type 0 (None) on every row, and a zlib stream
/// of stored (uncompressed) deflate blocks. Every chunk carries its CRC-32, the zlib stream its
/// Adler-32. A 32×32 cursor is about 4 KiB this way, which is fine for something sent once per shape.
enum PNGEncoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    /// The largest payload of one stored deflate block.
    static let maxStoredBlock = 65_535

    /// Encodes `rgba` (width × height × 4 bytes, rows top to bottom, straight alpha).
    /// Returns nil when the sizes do not fit (empty, over 2^31 − 1, or a buffer of the wrong length).
    static func encode(rgba: [UInt8], width: Int, height: Int) -> [UInt8]? {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max),
            width.multipliedReportingOverflow(by: height * 4).overflow == false,
            rgba.count == width * height * 4
        else { return nil }
        var png = signature
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, 6, 0, 0, 0]  // bit depth 8, RGBA, deflate, filter method 0, no interlace
        appendChunk("IHDR", header, to: &png)

        // Scanlines: a filter-type byte (0, None) before each row.
        let rowBytes = width * 4
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (rowBytes + 1))
        for row in 0..<height {
            raw.append(0)
            raw += rgba[(row * rowBytes)..<((row + 1) * rowBytes)]
        }
        appendChunk("IDAT", zlibStored(raw), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4).
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate, 32 KiB window; FLG 0x01: fastest level, no dictionary, (CMF·256 + FLG) % 31 == 0.
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(data.count + data.count / maxStoredBlock * 5 + 11)
        var offset = 0
        repeat {
            let length = min(maxStoredBlock, data.count - offset)
            let final = offset + length == data.count
            out.append(final ? 1 : 0)  // BFINAL, BTYPE 00; the rest of the byte is padding
            out.append(UInt8(length & 0xff))
            out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xff))
            out.append(UInt8((~length >> 8) & 0xff))
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        out.appendBigEndian(adler32(data))
        return out
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < data.count {
            // 5552 bytes keep b below 2^32 before the modulo (zlib's NMAX).
            let end = min(index + 5552, data.count)
            while index < end {
                a &+= UInt32(data[index])
                b &+= a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    /// CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) as PNG chunks use it.
    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xffff_ffff
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        png.appendBigEndian(UInt32(data.count))
        let start = png.count
        png += Array(type.utf8)
        png += data
        png.appendBigEndian(crc32(png[start...]))  // over type and data, not the length
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xff))
        append(UInt8((value >> 8) & 0xff))
        append(UInt8(value & 0xff))
    }
}
