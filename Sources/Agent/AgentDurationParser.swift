/// Parses the duration settings of the agent (`MARIONETTE_HEARTBEAT_INTERVAL` and friends).
///
/// Accepted forms: plain seconds (`30`, `1.5`), or one or more number+unit pairs in the Go
/// `time.ParseDuration` style (`500ms`, `2s`, `1m30s`, `1h`, `250us`, `100ns`). Negative values,
/// empty text and unknown units are rejected (`nil`).
public enum AgentDurationParser {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        if let seconds = Double(trimmed) {
            guard seconds.isFinite, seconds >= 0 else { return nil }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        var nanoseconds = 0.0
        var index = trimmed.startIndex
        var sawPair = false
        while index < trimmed.endIndex {
            let numberStart = index
            while index < trimmed.endIndex, trimmed[index].isASCIIDigitOrDot { index = trimmed.index(after: index) }
            guard index > numberStart, let value = Double(trimmed[numberStart..<index]) else { return nil }
            let unitStart = index
            while index < trimmed.endIndex, trimmed[index].isLetter || trimmed[index] == "µ" {
                index = trimmed.index(after: index)
            }
            guard let scale = unitScale[String(trimmed[unitStart..<index])] else { return nil }
            nanoseconds += value * scale
            sawPair = true
        }
        guard sawPair, nanoseconds.isFinite, nanoseconds < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }

    private static let unitScale: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
    ]
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var agentSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

extension Character {
    fileprivate var isASCIIDigitOrDot: Bool { (self >= "0" && self <= "9") || self == "." }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
