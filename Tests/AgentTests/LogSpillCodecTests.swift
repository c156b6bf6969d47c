import Foundation
import Testing

@testable import Agent

@Suite struct LogSpillCodecTests {
    static let lines: [LogLine] = [
        LogLine(sequence: 1, stream: "stdout", level: "info", content: "plain", timestampMs: 1_764_000_000_123),
        LogLine(sequence: 2, stream: "stderr", level: "error", content: "", timestampMs: 0),
        LogLine(
            sequence: 9_000_000_000, stream: "system", level: "warn",
            content: "quote \" backslash \\ slash / tab \t nl \n cr \r bs \u{08} ff \u{0C} nul \u{00} us \u{1F}",
            timestampMs: -5, metadata: ["truncated": "true", "gap": "x\"y", "é": "漢字"]),
        LogLine(sequence: 4, stream: "stdout", level: "info", content: "unicode é 漢字 🚀 \u{2028} \u{7F}", timestampMs: 7),
    ]

    static let sortedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    @Test(arguments: lines)
    func roundTripsAndStaysReadableByJSONDecoder(_ line: LogLine) throws {
        var bytes: [UInt8] = []
        LogSpillCodec.encode(line, into: &bytes)
        #expect(LogSpillCodec.decode(bytes[...]) == line)
        #expect(try JSONDecoder().decode(LogLine.self, from: Data(bytes)) == line)
        #expect(!bytes.contains(0x0A), "one line per record")
    }

    /// Files written by the previous agent (`JSONEncoder`, sorted keys) read through the fast path.
    @Test(arguments: lines)
    func readsWhatJSONEncoderWrote(_ line: LogLine) throws {
        let data = try Self.sortedEncoder.encode(line)
        #expect(LogSpillCodec.decode(Array(data)[...]) == line)
    }

    @Test func escapedUnicodeAndOtherShapesFallBack() {
        let escaped = Array(#"{"content":"\u00e9\ud83d\ude80\/","level":"info","metadata":{},"sequence":3,"stream":"stdout","timestampMs":1}"#.utf8)
        #expect(LogSpillCodec.decode(escaped[...])?.content == "é🚀/")
        // Not the written shape (other key order, torn record, lone surrogate): nil, so the
        // reader falls back to JSONDecoder or skips the record.
        for text in [
            #"{"level":"info","content":"x","metadata":{},"sequence":3,"stream":"stdout","timestampMs":1}"#,
            #"{"content":"x","level":"info","metadata":{},"sequence":3,"stream":"std"#,
            #"{"content":"\ud83d","level":"info","metadata":{},"sequence":3,"stream":"stdout","timestampMs":1}"#,
        ] {
            #expect(LogSpillCodec.decode(Array(text.utf8)[...]) == nil, "\(text)")
        }
    }

    /// Lines go to the file in chunks; reading a run's range first writes its pending chunk.
    @Test func bufferedWritesAreReadBack() throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("spill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let context = RunLogContext(sessionID: "sess_1", taskID: "task_1", runID: "trun_1", tenantID: "", workspacePath: workspace)
        let files = LogSpillFiles()
        let count = 3000  // more than one 64 KiB chunk
        for sequence in 1...count {
            #expect(files.write(
                LogLine(sequence: Int64(sequence), stream: "stdout", level: "info", content: "line \(sequence) " + String(repeating: "x", count: 40), timestampMs: 1),
                for: context))
        }
        let read = files.read(for: context, first: 1, last: Int64(count), maxBytes: 1 << 30)
        #expect(read.map(\.sequence) == (1...Int64(count)).map { $0 })
        #expect(read.last?.content.hasPrefix("line \(count) ") == true)
        files.remove(context)
        #expect(!FileManager.default.fileExists(atPath: LogSpillFiles.path(for: context)))
    }
}

extension LogLine: CustomTestStringConvertible {
    public var testDescription: String { "#\(sequence) \(stream)" }
}
