/// Splits a byte stream into lines for NDJSON, independent of how the bytes
/// were chunked. Accepts `\n` and `\r\n` endings; blank lines are dropped.
public struct NDJSONLineSplitter: Sendable {
    private var buffer: [UInt8] = []
    /// Longest line accepted before the splitter reports an error (16 MiB).
    public var maxLineLength: Int

    public init(maxLineLength: Int = 16 << 20) {
        self.maxLineLength = maxLineLength
    }

    /// Bytes received that do not yet form a complete line.
    public var pendingByteCount: Int { buffer.count }

    /// Appends a chunk and returns every line it completed.
    public mutating func append<Bytes: Sequence>(_ chunk: Bytes) throws -> [String] where Bytes.Element == UInt8 {
        var lines: [String] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if let line = takeLine() { lines.append(line) }
            } else {
                buffer.append(byte)
                if buffer.count > maxLineLength {
                    buffer.removeAll()
                    throw NDJSONError.lineTooLong(maxLineLength)
                }
            }
        }
        return lines
    }

    /// Ends the stream: returns a final line that had no newline, if any.
    public mutating func finish() -> String? { takeLine() }

    private mutating func takeLine() -> String? {
        if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
        defer { buffer.removeAll(keepingCapacity: true) }
        let line = String(decoding: buffer, as: UTF8.self)
        return line.allSatisfy(\.isWhitespace) ? nil : line
    }
}

public enum NDJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    case lineTooLong(Int)
    case invalidRecord(String)

    public var description: String {
        switch self {
        case .lineTooLong(let limit): return "stream line longer than \(limit) bytes"
        case .invalidRecord(let reason): return "invalid stream record: \(reason)"
        }
    }
}
