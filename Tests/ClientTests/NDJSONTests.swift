import Client
import Testing

@Suite struct NDJSONTests {
    @Test func splitsLinesAcrossChunkBoundaries() throws {
        let text = "{\"a\":1}\n{\"b\":\"x\\ny\"}\r\n\n{\"c\":3}"
        let bytes = Array(text.utf8)
        // Every possible single split point gives the same lines.
        for split in 0...bytes.count {
            var splitter = NDJSONLineSplitter()
            var lines = try splitter.append(bytes[..<split])
            lines += try splitter.append(bytes[split...])
            if let last = splitter.finish() { lines.append(last) }
            #expect(lines == ["{\"a\":1}", "{\"b\":\"x\\ny\"}", "{\"c\":3}"], "split at \(split)")
        }
    }

    @Test func byteByByteWithMultibyteCharacters() throws {
        let text = "{\"s\":\"héllo 😀\"}\n{\"t\":2}\n"
        var splitter = NDJSONLineSplitter()
        var lines: [String] = []
        for byte in text.utf8 { lines += try splitter.append([byte]) }
        #expect(lines == ["{\"s\":\"héllo 😀\"}", "{\"t\":2}"])
        #expect(splitter.finish() == nil)
        #expect(splitter.pendingByteCount == 0)
    }

    @Test func rejectsOverlongLines() {
        #expect(throws: NDJSONError.lineTooLong(8)) {
            var splitter = NDJSONLineSplitter(maxLineLength: 8)
            _ = try splitter.append(Array("0123456789".utf8))
        }
    }

    @Test func decodesRecordsFromAsyncChunks() async throws {
        let chunks: [[UInt8]] = [
            Array("{\"type\":\"log\",\"seq".utf8),
            Array("uence\":1}\n{\"type\":\"heart".utf8),
            Array("beat\"}\n".utf8),
            Array("{\"type\":\"end\",\"status\":\"completed\"}".utf8),
        ]
        let stream = AsyncStream<[UInt8]> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        var types: [String] = []
        for try await record in NDJSONRecords(stream) { types.append(record["type"]?.stringValue ?? "?") }
        #expect(types == ["log", "heartbeat", "end"])
    }

    @Test func invalidRecordIsAnError() async {
        let stream = AsyncStream<[UInt8]> { continuation in
            continuation.yield(Array("{\"ok\":1}\nnot json\n".utf8))
            continuation.finish()
        }
        await #expect(throws: NDJSONError.self) {
            for try await _ in NDJSONRecords(stream) {}
        }
    }
}
