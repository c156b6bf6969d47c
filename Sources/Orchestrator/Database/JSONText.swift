import Foundation

/// Small JSON helpers for label maps and string arrays kept as text columns.
public enum JSONText {
    public static func encode(_ map: [String: String]) -> String {
        if map.isEmpty { return "{}" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(map), as: UTF8.self)) ?? "{}"
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
