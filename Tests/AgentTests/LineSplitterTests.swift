import Testing

@testable import Agent

@Suite struct LineSplitterTests {
    private func texts(_ lines: [LineSplitter.Line]) -> [String] { lines.map(\.text) }

    @Test func splitsOnLFAndStripsCRLFOnly() {
        var splitter = LineSplitter()
        let lines = splitter.push(Array("a\nb\r\n  c  \n\n d\re\n".utf8))
        #expect(texts(lines) == ["a", "b", "  c  ", "", " d\re"])
        #expect(lines.allSatisfy { !$0.truncated })
        #expect(splitter.finish().isEmpty)
    }

    @Test func partialLinesAcrossReads() {
        var splitter = LineSplitter()
        #expect(splitter.push(Array("hel".utf8)).isEmpty)
        #expect(texts(splitter.push(Array("lo\nwor".utf8))) == ["hello"])
        #expect(splitter.push(Array("ld\r".utf8)).isEmpty)
        #expect(texts(splitter.push(Array("\nlast".utf8))) == ["world"])
        #expect(texts(splitter.finish()) == ["last"])
    }

    @Test func trailingCRWithoutLFIsKeptAtEnd() {
        var splitter = LineSplitter()
        #expect(splitter.push(Array("x\r".utf8)).isEmpty)
        #expect(texts(splitter.finish()) == ["x\r"])
    }

    @Test func longLinesAreSplitAndFlagged() {
        var splitter = LineSplitter(maxLineBytes: 8)
        let lines = splitter.push(Array("0123456789abcdefXYZ\nok\n".utf8))
        #expect(texts(lines) == ["01234567", "89abcdef", "XYZ", "ok"])
        #expect(lines.map(\.truncated) == [true, true, true, false])
    }

    @Test func oneMiBLimitByDefault() {
        var splitter = LineSplitter()
        let long = [UInt8](repeating: 0x61, count: (1 << 20) + 10)
        var lines = splitter.push(long)
        lines += splitter.push(Array("\n".utf8))
        #expect(lines.count == 2)
        #expect(lines[0].bytes.count == 1 << 20)
        #expect(lines[1].bytes.count == 10)
        #expect(lines.allSatisfy { $0.truncated })
    }

    @Test func exactlyMaxBytesIsNotTruncatedEvenWithCRLFSplitAcrossReads() {
        var splitter = LineSplitter(maxLineBytes: 4)
        #expect(splitter.push(Array("abcd\r".utf8)).isEmpty)
        let lines = splitter.push(Array("\nefgh\n".utf8))
        #expect(texts(lines) == ["abcd", "efgh"])
        #expect(lines.allSatisfy { !$0.truncated })
    }

    @Test func longLineArrivingInSmallPieces() {
        var splitter = LineSplitter(maxLineBytes: 4)
        var lines: [LineSplitter.Line] = []
        for byte in Array("abcdefghij\n".utf8) { lines += splitter.push([byte]) }
        #expect(texts(lines) == ["abcd", "efgh", "ij"])
        #expect(lines.allSatisfy { $0.truncated })
    }

    @Test func cutsAtUTF8Boundaries() {
        // "é" is 2 bytes; a 5-byte limit over "aaaaé…" must not cut inside it.
        var splitter = LineSplitter(maxLineBytes: 5)
        let lines = splitter.push(Array("aaaaéb\n".utf8))
        #expect(texts(lines) == ["aaaa", "éb"])
        #expect(lines.allSatisfy { $0.truncated })
        for line in lines { #expect(String(validating: line.bytes, as: UTF8.self) != nil) }
    }

    @Test func finishSplitsAnOverlongRemainder() {
        var splitter = LineSplitter(maxLineBytes: 4)
        _ = splitter.push(Array("abc".utf8))
        _ = splitter.push(Array("de".utf8))
        // 5 bytes without LF: "abcd" was cut already, "e" waits.
        #expect(texts(splitter.finish()) == ["e"])
    }

    /// However the bytes are cut into reads, the lines are the same: short lines (the memchr path),
    /// lines around the limit with CR, LF and multi-byte characters (the byte-by-byte path).
    @Test func chunkingNeverChangesTheLines() {
        var random = SystemRandomNumberGenerator()
        let alphabet: [[UInt8]] = [[0x61], [0x0A], [0x0D], [0x0D, 0x0A], Array("é".utf8), Array("漢".utf8), [0x20]]
        for round in 0..<200 {
            let limit = Int.random(in: 4...12, using: &random)
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 0...120, using: &random) {
                stream += alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
            }
            var whole = LineSplitter(maxLineBytes: limit)
            let expected = whole.push(stream) + whole.finish()
            var pieces = LineSplitter(maxLineBytes: limit)
            var got: [LineSplitter.Line] = []
            var offset = 0
            while offset < stream.count {
                let size = Int.random(in: 1...7, using: &random)
                got += pieces.push(stream[offset..<min(stream.count, offset + size)])
                offset += size
            }
            got += pieces.finish()
            #expect(got == expected, "round \(round), limit \(limit), stream \(stream)")
            #expect(expected.allSatisfy { $0.bytes.count <= limit })
        }
    }
}
