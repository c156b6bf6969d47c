import Testing

@testable import Capture

/// PNGEncoder, the cursor pixel conversion and the clipboard's UTF-8 cut, without X.
struct DesktopPNGEncoderTests {
    static func pattern(width: Int, height: Int) -> [UInt8] {
        var rgba: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                rgba += [UInt8(x & 0xff), UInt8(y & 0xff), UInt8((x * y) & 0xff), UInt8((x + y) & 0xff)]
            }
        }
        return rgba
    }

    @Test func checksumsMatchKnownValues() {
        // Check values of both algorithms.
        #expect(PNGEncoder.crc32(Array("123456789".utf8)) == 0xcbf4_3926)
        #expect(PNGEncoder.crc32([UInt8]()) == 0)
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11e6_0398)
        #expect(PNGEncoder.adler32([]) == 1)
        // Long runs of 0xff, where a missing modulo would overflow.
        let long = [UInt8](repeating: 0xff, count: 100_000)
        #expect(PNGEncoder.adler32(long) == DesktopPNGTestDecoder.adler32(long))
        #expect(PNGEncoder.crc32(long) == DesktopPNGTestDecoder.crc32(long))
    }

    @Test func signatureHeaderAndChunks() throws {
        let rgba = Self.pattern(width: 3, height: 2)
        let png = try #require(PNGEncoder.encode(rgba: rgba, width: 3, height: 2))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        // IHDR right after the signature: length 13, then width 3, height 2, depth 8, RGBA, deflate,
        // filter method 0, no interlace.
        #expect(Array(png[8..<16]) == [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        #expect(Array(png[16..<29]) == [0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0])
        let chunks = try DesktopPNGTestDecoder.chunks(png)  // verifies every CRC
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        for chunk in chunks {
            #expect(chunk.crc == DesktopPNGTestDecoder.crc32(Array(chunk.type.utf8) + chunk.data), "\(chunk.type)")
        }
        // IEND's CRC is a constant.
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82])
        // zlib: header 78 01, one final stored block of 2 × (1 + 12) bytes, Adler-32 of the scanlines.
        let idat = chunks[1].data
        #expect(Array(idat.prefix(7)) == [0x78, 0x01, 0x01, 26, 0, 0xff ^ 26, 0xff])
        var scanlines: [UInt8] = []
        for row in 0..<2 { scanlines += [0] + rgba[(row * 12)..<(row * 12 + 12)] }
        #expect(Array(idat[7..<(7 + 26)]) == scanlines)
        let adler = DesktopPNGTestDecoder.adler32(scanlines)
        #expect(Array(idat.suffix(4)) == [24, 16, 8, 0].map { UInt8((adler >> $0) & 0xff) })
        #expect(idat.count == 2 + 5 + 26 + 4)

        let image = try DesktopPNGTestDecoder.decode(png)
        #expect(image.width == 3 && image.height == 2 && image.rgba == rgba && image.storedBlocks == 1)
    }

    @Test(arguments: [(1, 1), (32, 32), (64, 64), (255, 300)])
    func decodesBackToTheExactPixels(width: Int, height: Int) throws {
        let rgba = Self.pattern(width: width, height: height)
        let png = try #require(PNGEncoder.encode(rgba: rgba, width: width, height: height))
        let image = try DesktopPNGTestDecoder.decode(png)
        #expect(image.width == width && image.height == height)
        #expect(image.rgba == rgba)
        // Blocks hold at most 65,535 bytes: 255×300 needs five.
        let scanlineBytes = height * (width * 4 + 1)
        #expect(image.storedBlocks == (scanlineBytes + 65_534) / 65_535)
    }

    @Test func rejectsInconsistentSizes() {
        #expect(PNGEncoder.encode(rgba: [], width: 0, height: 0) == nil)
        #expect(PNGEncoder.encode(rgba: [0, 0, 0], width: 1, height: 1) == nil)
        #expect(PNGEncoder.encode(rgba: [UInt8](repeating: 0, count: 8), width: 1, height: 1) == nil)
        #expect(PNGEncoder.encode(rgba: [], width: -1, height: -4) == nil)
    }

    @Test func cursorPixelsLoseTheirPremultipliedAlpha() {
        let pixels: [UInt32] = [
            0xff00_80ff,  // opaque: unchanged
            0x8040_2000,  // half alpha: colours doubled (0x40·255/128 rounds to 128)
            0x0000_0000,  // transparent
            0x0012_3456,  // invalid premultiplied (colour without alpha): transparent black
            0x10ff_ffff,  // invalid (colour above alpha): clamped to 255
        ]
        #expect(
            X11CursorTracker.straightRGBA(premultipliedARGB: pixels) == [
                0x00, 0x80, 0xff, 0xff,
                0x80, 0x40, 0x00, 0x80,
                0, 0, 0, 0,
                0, 0, 0, 0,
                0xff, 0xff, 0xff, 0x10,
            ])
    }

    @Test func clipboardTextCutsAtACharacterBoundary() {
        let euro = Array("€".utf8)  // 3 bytes
        #expect(X11ClipboardWatcher.text(Array("a€".utf8), truncated: false) == "a€")
        #expect(X11ClipboardWatcher.text([0x61] + euro, truncated: true) == "a€")  // complete
        #expect(X11ClipboardWatcher.text([0x61] + euro.prefix(2), truncated: true) == "a")
        #expect(X11ClipboardWatcher.text([0x61] + euro.prefix(1), truncated: true) == "a")
        #expect(X11ClipboardWatcher.text(Array("ab".utf8), truncated: true) == "ab")
        #expect(X11ClipboardWatcher.text(Array("😀".utf8).prefix(3).map { $0 }, truncated: true) == "")
        #expect(X11ClipboardWatcher.text([], truncated: true) == "")
    }
}
