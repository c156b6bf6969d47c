import Core
import Foundation

/// The non-secret part of an agent config (data-model.md §3.2) that runners get with every task:
/// model, base URL and `extra` (the API key is not read here).
public struct AgentConfigSettings: Sendable, Equatable {
    public var agent: String
    public var model: String?
    public var baseURL: String?
    public var extra: [String: String]
}

extension Store {
    func agentConfigSettings(_ id: String) async throws -> AgentConfigSettings? {
        try await database.read(.system) { db in
            guard let row = try await db.first("SELECT agent, model, base_url, extra FROM agent_configs WHERE id = ?", [.text(id)])
            else { return nil }
            return AgentConfigSettings(
                agent: row.string("agent") ?? "", model: row.string("model"), baseURL: row.string("base_url"),
                extra: Self.settingsMap(row.string("extra")))
        }
    }

    /// `extra` as strings: numbers and booleans as their text, nested values as JSON.
    static func settingsMap(_ text: String?) -> [String: String] {
        guard let text, let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let string as String: map[key] = string
            case let number as NSNumber:
                // Booleans arrive as NSNumber of type char.
                map[key] = String(cString: number.objCType) == "c" ? (number.boolValue ? "true" : "false") : number.stringValue
            case is NSNull: continue
            default:
                if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
                    map[key] = String(decoding: data, as: UTF8.self)
                }
            }
        }
        return map
    }
}
