/// Parses `--labels k=v` flags (comma-separated and/or repeated) into ordered pairs.
public struct LabelParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    public init(input: String) { self.input = input }
    public var description: String { "invalid label \"\(input)\": expected key=value" }
}

public enum LabelParser {
    /// Pairs in first-seen order; a repeated key keeps its first position and
    /// takes the last value. Empty items (`a=b,`) are ignored.
    public static func parse(_ values: [String]) throws -> [(String, String)] {
        var keys: [String] = []
        var map: [String: String] = [:]
        for item in CommaList.split(values) {
            guard let equals = item.firstIndex(of: "=") else { throw LabelParseError(input: item) }
            let key = String(item[..<equals]).trimmingSpaces()
            let value = String(item[item.index(after: equals)...]).trimmingSpaces()
            guard !key.isEmpty else { throw LabelParseError(input: item) }
            if map.updateValue(value, forKey: key) == nil { keys.append(key) }
        }
        return keys.map { ($0, map[$0] ?? "") }
    }

    /// The admin API's single-parameter form: `env=prod,team=backend`.
    public static func joined(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
    }
}

/// Splits repeated and comma-separated flag values (`--status a,b --status c`).
public enum CommaList {
    public static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
}
