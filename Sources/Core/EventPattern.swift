/// An event subscription pattern (api.md §14.1), for webhooks and the events streams: an exact
/// name (`task.completed`), `<resource>.*` (`task.*`), a bare resource (`task`, the same as
/// `task.*`), or `*`. Characters `[A-Za-z0-9._*-]`, `*` only at the end.
public struct EventPattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let kind: Kind

    private enum Kind: Sendable, Hashable {
        case all
        case prefix(String)  // "task." matches "task.<anything>"
        case exact(String)
    }

    public init(parsing text: String) throws(APIError) {
        guard !text.isEmpty, text.utf8.count <= 128 else {
            throw .validation("event pattern must be 1-128 characters", field: "events")
        }
        guard text.utf8.allSatisfy(Self.isPatternByte) else {
            throw .validation(
                "event pattern \"\(text.prefix(80))\" may only use A-Z a-z 0-9 . _ - and a trailing *", field: "events")
        }
        let stars = text.utf8.filter { $0 == UInt8(ascii: "*") }.count
        guard stars == 0 || (stars == 1 && text.hasSuffix("*")) else {
            throw .validation("event pattern \"\(text.prefix(80))\": * is only allowed at the end", field: "events")
        }
        self.text = text
        if text == "*" {
            kind = .all
        } else if text.hasSuffix(".*") {
            kind = .prefix(String(text.dropLast()))
        } else if text.hasSuffix("*") {
            throw .validation("event pattern \"\(text.prefix(80))\": use <resource>.* or *", field: "events")
        } else if !text.contains(".") {
            kind = .prefix(text + ".")
        } else {
            kind = .exact(text)
        }
    }

    public func matches(_ eventType: String) -> Bool {
        switch kind {
        case .all: return true
        case .prefix(let prefix): return eventType.hasPrefix(prefix)
        case .exact(let name): return eventType == name
        }
    }

    public var description: String { text }

    /// True when any of `patterns` matches (an empty list matches everything: no filter).
    public static func any(_ patterns: [EventPattern], match eventType: String) -> Bool {
        patterns.isEmpty || patterns.contains { $0.matches(eventType) }
    }

    private static func isPatternByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 46 || b == 95 || b == 45 || b == 42
    }
}
