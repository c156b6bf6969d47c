#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream (one pipe of a task) into lines (orchestration.md §4.1 "Output framing").
///
/// - A line ends at LF; a CR directly before that LF is part of the terminator (CRLF). Nothing
///   else is trimmed: leading/trailing spaces, lone CRs and empty lines are kept.
/// - A line longer than `maxLineBytes` is cut into pieces of at most `maxLineBytes` bytes, cut at
///   a UTF-8 character boundary when the text is valid UTF-8; every piece of such a line is flagged
///   `truncated`.
/// - Bytes after the last LF are kept until more arrive or `finish()` is called.
public struct LineSplitter: Sendable {
    public struct Line: Sendable, Equatable {
        public var bytes: [UInt8]
        /// The line was longer than the limit; this is one piece of it.
        public var truncated: Bool

        public init(bytes: [UInt8], truncated: Bool = false) {
            self.bytes = bytes
            self.truncated = truncated
        }

        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    public static let defaultMaxLineBytes = 1 << 20

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already searched for LF.
    private var scanned = 0
    /// The bytes in `buffer` continue a line that was already cut.
    private var continuing = false

    public init(maxLineBytes: Int = LineSplitter.defaultMaxLineBytes) {
        precondition(maxLineBytes >= 4, "a line must hold at least one UTF-8 character")
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes held back waiting for a line end.
    public var pendingByteCount: Int { buffer.count }

    public mutating func push<C: Collection>(_ chunk: C) -> [Line] where C.Element == UInt8 {
        buffer.append(contentsOf: chunk)
        var lines: [Line] = []
        var start = 0
        var index = max(scanned, 0)
        while index < buffer.count {
            // The next LF by memchr; a line that ends within the limit is emitted at once (the
            // common case), anything longer is walked byte by byte up to that LF to cut it.
            let lineFeed = Self.nextLineFeed(in: buffer, from: index)
            if let lineFeed, lineFeed - start <= maxLineBytes {
                var end = lineFeed
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                emit(from: start, to: end, into: &lines, final: true)
                start = lineFeed + 1
                index = start
                continue
            }
            if lineFeed == nil, buffer.count - start <= maxLineBytes { break }
            let stop = lineFeed.map { $0 + 1 } ?? buffer.count
            while index < stop {
                if buffer[index] == 0x0A {
                    var end = index
                    if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                    emit(from: start, to: end, into: &lines, final: true)
                    start = index + 1
                } else if index - start >= maxLineBytes {
                    // `maxLineBytes + 1` bytes without LF: the line is too long, unless this byte is
                    // the CR of a CRLF right after a line of exactly `maxLineBytes` bytes.
                    let mayBeCRLF = buffer[index] == 0x0D && (index + 1 == buffer.count || buffer[index + 1] == 0x0A)
                    if !(mayBeCRLF && index - start == maxLineBytes) {
                        cutPiece(start: &start, limit: index + 1, into: &lines)
                    }
                }
                index += 1
            }
        }
        // Long run of bytes at the end without LF: cut while more than a full piece is buffered,
        // keeping a trailing CR back (it may be the start of CRLF).
        while buffer.count - start > maxLineBytes {
            if buffer.count - start == maxLineBytes + 1, buffer[buffer.count - 1] == 0x0D { break }
            cutPiece(start: &start, limit: buffer.count, into: &lines)
        }
        if start > 0 { buffer.removeSubrange(0..<start) }
        scanned = buffer.count
        return lines
    }

    private static func nextLineFeed(in bytes: [UInt8], from index: Int) -> Int? {
        bytes.withUnsafeBytes { raw -> Int? in
            guard index < raw.count, let base = raw.baseAddress,
                let hit = memchr(base + index, 0x0A, raw.count - index)
            else { return nil }
            return UnsafeRawPointer(hit) - base
        }
    }

    /// The remaining bytes as a last line (end of stream).
    public mutating func finish() -> [Line] {
        var lines: [Line] = []
        var start = 0
        while buffer.count - start > maxLineBytes { cutPiece(start: &start, limit: buffer.count, into: &lines) }
        if buffer.count > start { emit(from: start, to: buffer.count, into: &lines, final: true) }
        buffer.removeAll()
        scanned = 0
        continuing = false
        return lines
    }

    /// Emits one piece of at most `maxLineBytes` bytes of an over-long line starting at `start`.
    private mutating func cutPiece(start: inout Int, limit: Int, into lines: inout [Line]) {
        var cut = start + maxLineBytes
        // Do not cut inside a UTF-8 sequence: back off over continuation bytes (at most 3).
        if cut < limit {
            var probe = cut
            while probe > cut - 3, probe > start, buffer[probe] & 0xC0 == 0x80 { probe -= 1 }
            if probe > start, buffer[probe] & 0xC0 != 0x80, probe >= cut - 3 { cut = probe }
        }
        lines.append(Line(bytes: Array(buffer[start..<cut]), truncated: true))
        continuing = true
        start = cut
    }

    private mutating func emit(from start: Int, to end: Int, into lines: inout [Line], final: Bool) {
        if end - start > maxLineBytes {
            var cursor = start
            while end - cursor > maxLineBytes { cutPiece(start: &cursor, limit: end, into: &lines) }
            lines.append(Line(bytes: Array(buffer[cursor..<end]), truncated: true))
        } else {
            lines.append(Line(bytes: Array(buffer[start..<end]), truncated: continuing))
        }
        if final { continuing = false }
    }
}
