#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Finds and parses HTTP/1.x heads in raw bytes (RFC 9112 §2–5), strictly: CRLF line ends, no
/// obsolete line folding, token header names, at most `limit` bytes. Runs for every request and
/// response of a tunnel, so it works on the bytes in place (memchr for line ends) and records where
/// each field lies instead of copying it; only the start line's three parts become strings.
enum HTTPHeadParser {
    enum Outcome: Equatable {
        /// The head is incomplete; read more.
        case needMore
        /// The head took `length` bytes (the blank line included).
        case head(HTTPHead, length: Int)
        /// Not a valid head, or over the size limit (`tooLarge`).
        case invalid(tooLarge: Bool)
    }

    static let defaultLimit = 64 * 1024

    /// Parses the head at the start of `bytes` (copied into a buffer first).
    static func parse(_ bytes: some Collection<UInt8>, limit: Int = defaultLimit) -> Outcome {
        parse(ByteBuffer(bytes: bytes.prefix(limit + 4)), limit: limit)
    }

    /// Parses the head at `buffer`'s reader index; the head keeps a slice of `buffer` (no copy).
    static func parse(_ buffer: ByteBuffer, limit: Int = defaultLimit) -> Outcome {
        buffer.withUnsafeReadableBytes { raw in
            parse(bytes: raw, limit: limit) { end in buffer.getSlice(at: buffer.readerIndex, length: end)! }
        }
    }

    /// The parse itself: `slice(length)` hands the head's own bytes (the first `length` of `bytes`).
    static func parse(bytes: UnsafeRawBufferPointer, limit: Int = defaultLimit, slice: (Int) -> ByteBuffer) -> Outcome {
        let bytes = UnsafeRawBufferPointer(rebasing: bytes.prefix(limit + 4))
        guard let end = headEnd(bytes) else {
            return bytes.count > limit ? .invalid(tooLarge: true) : .needMore
        }
        guard end <= limit else { return .invalid(tooLarge: true) }
        // Every line ends with CRLF; the head ends with an empty line (the last two bytes).
        let content = end - 2
        var start = 0
        var startLine: (String, String, String)?
        var fields: [HTTPHead.Field] = []
        while start < content {
            guard let lf = find(10, in: bytes, from: start, to: content), lf > start, bytes[lf - 1] == 13 else {
                return .invalid(tooLarge: false)
            }
            let lineEnd = lf - 1
            // A bare CR inside a line.
            if find(13, in: bytes, from: start, to: lineEnd) != nil { return .invalid(tooLarge: false) }
            if startLine == nil {
                guard let parts = splitStartLine(bytes, start, lineEnd) else { return .invalid(tooLarge: false) }
                startLine = parts
                fields.reserveCapacity(16)
            } else {
                guard let colon = find(58, in: bytes, from: start, to: lineEnd), colon > start else {
                    return .invalid(tooLarge: false)
                }
                for index in start..<colon where !isTokenByte(bytes[index]) { return .invalid(tooLarge: false) }
                var valueStart = colon + 1
                var valueEnd = lineEnd
                for index in valueStart..<valueEnd {
                    let byte = bytes[index]
                    guard byte == 9 || (byte >= 32 && byte != 127) else { return .invalid(tooLarge: false) }
                }
                while valueStart < valueEnd, bytes[valueStart] == 32 || bytes[valueStart] == 9 { valueStart += 1 }
                while valueEnd > valueStart, bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9 { valueEnd -= 1 }
                fields.append(
                    HTTPHead.Field(
                        nameStart: Int32(start), nameEnd: Int32(colon), valueStart: Int32(valueStart), valueEnd: Int32(valueEnd)))
            }
            start = lf + 1
        }
        guard let startLine else { return .invalid(tooLarge: false) }
        return .head(HTTPHead(bytes: slice(end), startLine: startLine, fields: fields), length: end)
    }

    /// `a SP b [SP c]`, with `a` and `b` not empty (`c` may hold spaces: a reason phrase).
    private static func splitStartLine(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> (String, String, String)? {
        guard let first = find(32, in: bytes, from: start, to: end), first > start else { return nil }
        let second = find(32, in: bytes, from: first + 1, to: end)
        let middleEnd = second ?? end
        guard middleEnd > first + 1 else { return nil }
        let rest = second.map { text(bytes, $0 + 1, end) } ?? ""
        return (text(bytes, start, first), text(bytes, first + 1, middleEnd), rest)
    }

    /// Offset just past the first CRLFCRLF.
    static func headEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var from = 3
        while let lf = find(10, in: bytes, from: from, to: bytes.count) {
            if bytes[lf - 1] == 13, bytes[lf - 2] == 10, bytes[lf - 3] == 13 { return lf + 1 }
            from = lf + 1
        }
        return nil
    }

    private static func find(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard from < to, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    private static func text(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
