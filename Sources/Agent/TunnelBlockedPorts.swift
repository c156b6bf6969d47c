/// `tunnels.blocked_ports` (orchestration.md §3.1): local ports a tunnel may never reach on this
/// runner, whatever the server asks (runner-protocol.md §10.3). Written as ports and ranges,
/// `22, 5432, 6000-6063` (a YAML list flattens to the same comma-separated text).
public struct TunnelBlockedPorts: Sendable, Equatable, CustomStringConvertible {
    /// Inclusive ranges, sorted and merged.
    public private(set) var ranges: [ClosedRange<Int>] = []

    public init() {}

    /// Parses the comma- or space-separated list; an empty text blocks nothing.
    public init(parsing text: String) throws(AgentConfigurationError) {
        var found: [ClosedRange<Int>] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Self.port(bounds[0]), let high = Self.port(bounds[bounds.count - 1]), low <= high else {
                throw AgentConfigurationError(
                    "invalid tunnels.blocked_ports entry \"\(item)\" (expected ports 1-65535 or ranges such as 6000-6063)")
            }
            found.append(low...high)
        }
        for range in found.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = ranges.last, range.lowerBound <= last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                ranges.append(range)
            }
        }
    }

    private static func port(_ text: Substring) -> Int? {
        guard let value = Int(text), (1...65535).contains(value) else { return nil }
        return value
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public func contains(_ port: Int) -> Bool {
        ranges.contains { $0.contains(port) }
    }

    public var description: String {
        ranges.isEmpty
            ? "none" : ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
    }
}
