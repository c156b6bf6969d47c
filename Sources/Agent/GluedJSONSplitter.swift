/// Splits a line that holds several JSON objects written back to back (`{…}{…}`), which agent
/// CLIs produce when two writes race (orchestration.md §4.1 "Output framing"). Tracks brace
/// depth outside strings; anything that does not look like glued objects comes back whole.
public enum GluedJSONSplitter {
    public static func split(_ line: Substring) -> [Substring] {
        let utf8 = line.utf8
        guard utf8.first == UInt8(ascii: "{") else { return [line] }
        let objects = utf8.withContiguousStorageIfAvailable { objectRanges(in: UnsafeRawBufferPointer($0)) }
            ?? Array(utf8).withUnsafeBytes { objectRanges(in: $0) }
        guard let objects, objects.count > 1 else { return [line] }
        return objects.map { range in
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            let upper = utf8.index(lower, offsetBy: range.count)
            return Substring(utf8[lower..<upper])
        }
    }

    /// Byte ranges of the top-level objects, or nil when the bytes are not objects back to back
    /// (one scan over raw bytes: this runs for every line an agent CLI prints).
    private static func objectRanges(in bytes: UnsafeRawBufferPointer) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                if depth == 0 { start = index }
                depth += 1
            } else if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth < 0 { return nil }
                if depth == 0 { ranges.append(start..<(index + 1)) }
            } else if depth == 0, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t"), byte != UInt8(ascii: "\r") {
                return nil  // text between objects: not glued JSON
            }
        }
        return depth == 0 ? ranges : nil
    }
}
