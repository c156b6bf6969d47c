/// Finds and parses HTTP/1.x heads in raw bytes (RFC 9112 §2–5), strictly: CRLF line ends, no
/// obsolete line folding, token header names, at most `limit` bytes.
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

    static func parse(_ bytes: some Collection<UInt8>, limit: Int = defaultLimit) -> Outcome {
        let bytes = Array(bytes.prefix(limit + 4))
        guard let end = headEnd(bytes) else {
            return bytes.count > limit ? .invalid(tooLarge: true) : .needMore
        }
        guard end <= limit else { return .invalid(tooLarge: true) }
        // Lines end with CRLF; the head ends with an empty line.
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        let content = end - 4
        while i < content {
            if bytes[i] == 13, i + 1 < content, bytes[i + 1] == 10 {
                lines.append(bytes[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        lines.append(bytes[start..<content])
        guard !lines.contains(where: { $0.contains(13) || $0.contains(10) }) else { return .invalid(tooLarge: false) }
        guard let first = lines.first else { return .invalid(tooLarge: false) }
        let parts = first.split(separator: 32, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.contains(13) && !$0.contains(10) }) else {
            return .invalid(tooLarge: false)
        }
        let a = String(decoding: parts[0], as: UTF8.self)
        let b = String(decoding: parts[1], as: UTF8.self)
        let c = parts.count > 2 ? String(decoding: parts[2], as: UTF8.self) : ""
        guard !a.isEmpty, !b.isEmpty else { return .invalid(tooLarge: false) }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 58) else { return .invalid(tooLarge: false) }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .invalid(tooLarge: false) }
            let value = line[(colon + 1)...]
            guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else { return .invalid(tooLarge: false) }
            headers.append(
                (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingASCIISpaces()))
        }
        return .head(HTTPHead(startLine: (a, b, c), headers: headers), length: end)
    }

    /// Offset just past the first CRLFCRLF.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = 0
        while i + 3 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i + 4 }
            i += 1
        }
        return nil
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}
