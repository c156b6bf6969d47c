import Core
import Foundation

/// Small JSON helpers for label maps and string arrays kept as text columns.
public enum JSONText {
    /// Keys sorted. Written by hand: it runs for every stored log line with metadata (structured
    /// agent lines), where a `JSONEncoder` per line cost more than the rest of the line's ingest.
    public static func encode(_ map: [String: String]) -> String {
        if map.isEmpty { return "{}" }
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(16 + map.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (index, key) in map.keys.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            quoted(key, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            quoted(map[key] ?? "", into: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func quoted(_ text: String, into bytes: inout [UInt8]) {
        JSONStringEscaping.appendQuoted(text, to: &bytes)
    }

    public static func encode(_ array: [String]) -> String {
        if array.isEmpty { return "[]" }
        return (try? String(decoding: JSONEncoder().encode(array), as: UTF8.self)) ?? "[]"
    }

    public static func decodeMap(_ text: String) -> [String: String] {
        if text == "{}" { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    public static func decodeArray(_ text: String) -> [String] {
        if text == "[]" || text == "{}" { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
