/// Splits a line that holds several JSON objects written back to back (`{…}{…}`), which agent
/// CLIs produce when two writes race (orchestration.md §4.1 "Output framing"). Tracks brace
/// depth outside strings; anything that does not look like glued objects comes back whole.
public enum GluedJSONSplitter {
    public static func split(_ line: Substring) -> [Substring] {
        let bytes = line.utf8
        guard bytes.first == UInt8(ascii: "{") else { return [line] }
        var pieces: [Substring] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index != bytes.endIndex {
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
                if depth < 0 { return [line] }
                if depth == 0 { pieces.append(Substring(line.utf8[start...index])) }
            } else if depth == 0, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t"), byte != UInt8(ascii: "\r") {
                return [line]  // text between objects: not glued JSON
            }
            index = bytes.index(after: index)
        }
        return depth == 0 && pieces.count > 1 ? pieces : [line]
    }
}
