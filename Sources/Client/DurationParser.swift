/// Parses CLI duration flags: `90s`, `15m`, `1h`, `2h30m`, `500ms`, or plain seconds (`3600`, `1.5`).
public struct DurationParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    public init(input: String) { self.input = input }
    public var description: String {
        "invalid duration \"\(input)\": use a number of seconds or a value like 90s, 15m, 1h, 2h30m"
    }
}

public enum DurationParser {
    /// The duration in seconds.
    public static func seconds(_ text: String) throws -> Double {
        let input = text.trimmingSpaces()
        guard !input.isEmpty else { throw DurationParseError(input: text) }
        if let plain = Double(input), plain.isFinite {
            guard plain >= 0, input.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
                throw DurationParseError(input: text)
            }
            return plain
        }
        var total = 0.0
        var rest = Substring(input)
        while !rest.isEmpty {
            let numberPart = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !numberPart.isEmpty, let number = Double(numberPart) else { throw DurationParseError(input: text) }
            rest = rest.dropFirst(numberPart.count)
            let unitPart = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unitPart.count)
            let scale: Double
            switch unitPart {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: throw DurationParseError(input: text)
            }
            total += number * scale
        }
        return total
    }

    /// The duration in whole seconds (rounded), as sent in `*_seconds` fields.
    public static func wholeSeconds(_ text: String) throws -> Int {
        let value = try seconds(text)
        guard value < Double(Int.max) else { throw DurationParseError(input: text) }
        return Int(value.rounded())
    }

    /// Formats seconds compactly: `45s`, `30m`, `1h`, `2h30m`, `1h0m5s`.
    public static func format(seconds: Int) -> String {
        if seconds <= 0 { return "0s" }
        let hours = seconds / 3600
        let minutes = (seconds % 3600) / 60
        let secs = seconds % 60
        var out = ""
        if hours > 0 { out += "\(hours)h" }
        if minutes > 0 || (hours > 0 && secs > 0) { out += "\(minutes)m" }
        if secs > 0 { out += "\(secs)s" }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
