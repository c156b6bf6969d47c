@testable import Capture

/// A strict reader for what `PNGEncoder` writes, written independently of it for the tests: checks
/// the signature, every chunk's CRC-32 (bitwise, no table), IHDR, the zlib header, every stored
/// deflate block's LEN/NLEN, the Adler-32, and filter type 0 on every row; returns the pixels.
enum DesktopPNGTestDecoder {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Chunk {
        var type: String
        var data: [UInt8]
        var crc: UInt32
    }

    struct Image {
        var width: Int
        var height: Int
        var rgba: [UInt8]
        var chunks: [String]
        var storedBlocks: Int
    }

    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// CRC-32 bit by bit (reflected 0xEDB88320).
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Adler-32 by its definition, with a modulo at every byte.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    static func chunks(_ png: [UInt8]) throws -> [Chunk] {
        guard png.count >= 8, Array(png[0..<8]) == signature else { throw Failure(description: "bad signature") }
        var chunks: [Chunk] = []
        var offset = 8
        while offset < png.count {
            guard offset + 12 <= png.count else { throw Failure(description: "truncated chunk at \(offset)") }
            let length = Int(bigEndian(png[offset..<(offset + 4)]))
            guard offset + 12 + length <= png.count else { throw Failure(description: "chunk overruns the file") }
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let data = Array(png[(offset + 8)..<(offset + 8 + length)])
            let crc = bigEndian(png[(offset + 8 + length)..<(offset + 12 + length)])
            guard crc == crc32(png[(offset + 4)..<(offset + 8 + length)]) else {
                throw Failure(description: "\(type) CRC mismatch")
            }
            chunks.append(Chunk(type: type, data: data, crc: crc))
            offset += 12 + length
        }
        return chunks
    }

    static func decode(_ png: [UInt8]) throws -> Image {
        let chunks = try chunks(png)
        guard chunks.first?.type == "IHDR", chunks.last?.type == "IEND", chunks.last?.data.isEmpty == true else {
            throw Failure(description: "chunk order \(chunks.map(\.type))")
        }
        let header = chunks[0].data
        guard header.count == 13 else { throw Failure(description: "IHDR length \(header.count)") }
        let width = Int(bigEndian(header[0..<4])), height = Int(bigEndian(header[4..<8]))
        guard Array(header[8..<13]) == [8, 6, 0, 0, 0] else {
            throw Failure(description: "IHDR depth/colour/compression/filter/interlace \(Array(header[8..<13]))")
        }
        let zlib = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        guard zlib.count >= 6, zlib[0] & 0x0f == 8, (Int(zlib[0]) * 256 + Int(zlib[1])) % 31 == 0,
            zlib[1] & 0x20 == 0
        else { throw Failure(description: "bad zlib header") }
        var raw: [UInt8] = []
        var offset = 2
        var final = false
        var blocks = 0
        while !final {
            guard offset + 5 <= zlib.count else { throw Failure(description: "truncated deflate block") }
            final = zlib[offset] & 1 == 1
            guard (zlib[offset] >> 1) & 3 == 0 else { throw Failure(description: "not a stored block") }
            let length = Int(zlib[offset + 1]) | Int(zlib[offset + 2]) << 8
            let complement = Int(zlib[offset + 3]) | Int(zlib[offset + 4]) << 8
            guard length ^ 0xffff == complement else { throw Failure(description: "LEN/NLEN mismatch") }
            offset += 5
            guard offset + length <= zlib.count else { throw Failure(description: "stored block overruns") }
            raw += zlib[offset..<(offset + length)]
            offset += length
            blocks += 1
        }
        guard offset + 4 == zlib.count else {
            throw Failure(description: "\(zlib.count - offset) bytes after the last block")
        }
        guard bigEndian(zlib[offset..<(offset + 4)]) == adler32(raw) else {
            throw Failure(description: "Adler-32 mismatch")
        }
        let rowBytes = width * 4
        guard raw.count == height * (rowBytes + 1) else {
            throw Failure(description: "\(raw.count) bytes of scanlines")
        }
        var rgba: [UInt8] = []
        for row in 0..<height {
            let start = row * (rowBytes + 1)
            guard raw[start] == 0 else { throw Failure(description: "row \(row) filter \(raw[start])") }
            rgba += raw[(start + 1)..<(start + 1 + rowBytes)]
        }
        return Image(width: width, height: height, rgba: rgba, chunks: chunks.map(\.type), storedBlocks: blocks)
    }
}
