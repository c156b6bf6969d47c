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

/// What a new or updated agent config writes (validated by ``AgentConfigService``).
struct AgentConfigFields: Sendable {
    var name: String
    var agent: String
    var model: String?
    var baseURL: String?
    var extra: [String: JSONAnyValue]
    var isDefault: Bool
    var labels: [String: String]
    var annotations: [String: String]
}

extension Store {
    /// Inserts a config whose key is already sealed; `is_default` takes the default over from the
    /// agent's previous one in the same transaction.
    func createAgentConfig(_ fields: AgentConfigFields, id: String, sealedKey: String, tenantID: String?) async throws
        -> AgentConfigRecord
    {
        let now = now()
        return try await database.transaction(.system) { db in
            try await NamedRowRules.requireUniqueName(
                fields.name, table: "agent_configs", kind: "agent config", tenantID: tenantID, except: nil, in: db)
            if fields.isDefault {
                try await NamedRowRules.clearDefault(
                    table: "agent_configs", column: "agent", value: fields.agent, tenantID: tenantID, now: now, in: db)
            }
            let rows = try await db.query(
                """
                INSERT INTO agent_configs (id, name, agent, api_key_encrypted, model, base_url, extra, is_default, labels,
                  annotations, tenant_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [.text(id), .text(fields.name), .text(fields.agent), .text(sealedKey), .optional(fields.model),
                 .optional(fields.baseURL), .json(JSONAnyValue.encode(fields.extra)), .bool(fields.isDefault),
                 .labels(fields.labels), .labels(fields.annotations), .optional(tenantID), .timestamp(now), .timestamp(now)])
            return try AgentConfigRecord(row: rows[0])
        }
    }

    public func agentConfig(_ id: String) async throws -> AgentConfigRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM agent_configs WHERE id = ?", [.text(id)]).map(AgentConfigRecord.init)
        }
    }

    public func agentConfigs(agent: String?, labels: [String: String], page: PageRequest) async throws -> Page<AgentConfigRecord> {
        var filter = SQLFilter()
        if let agent { filter.add("agent = ?", .text(agent)) }
        filter.labels(labels, dialect: dialect)
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "agent_configs", filter: filter, request: page, decode: AgentConfigRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Writes `fields` over the config; `sealedKey` replaces the key when given.
    func updateAgentConfig(_ id: String, _ fields: AgentConfigFields, sealedKey: String?) async throws -> AgentConfigRecord {
        let now = now()
        return try await database.transaction(.system) { db in
            guard let current = try await db.first("SELECT * FROM agent_configs WHERE id = ?", [.text(id)]).map(AgentConfigRecord.init)
            else { throw APIError.notFound("agent config", id) }
            try await NamedRowRules.requireUniqueName(
                fields.name, table: "agent_configs", kind: "agent config", tenantID: current.tenantID, except: id, in: db)
            if fields.isDefault && !current.isDefault {
                try await NamedRowRules.clearDefault(
                    table: "agent_configs", column: "agent", value: current.agent, tenantID: current.tenantID, now: now, in: db)
            }
            var sql = """
                UPDATE agent_configs SET name = ?, model = ?, base_url = ?, extra = ?, is_default = ?, labels = ?, annotations = ?,
                  updated_at = ?
                """
            var binds: [SQLValue] = [
                .text(fields.name), .optional(fields.model), .optional(fields.baseURL), .json(JSONAnyValue.encode(fields.extra)),
                .bool(fields.isDefault), .labels(fields.labels), .labels(fields.annotations), .timestamp(now),
            ]
            if let sealedKey {
                sql += ", api_key_encrypted = ?"
                binds.append(.text(sealedKey))
            }
            binds.append(.text(id))
            let rows = try await db.query(sql + " WHERE id = ? RETURNING *", binds)
            return try AgentConfigRecord(row: rows[0])
        }
    }

    /// Deletes a config (sessions that referenced it keep running without it: SET NULL).
    func deleteAgentConfig(_ id: String) async throws {
        try await database.transaction(.system) { db in
            let rows = try await db.query("DELETE FROM agent_configs WHERE id = ? RETURNING id", [.text(id)])
            guard !rows.isEmpty else { throw APIError.notFound("agent config", id) }
        }
    }

    /// The sealed API key of a config and its tenant, for the runner at attach.
    func agentConfigSealedKey(_ id: String) async throws -> (sealed: String, tenantID: String?)? {
        try await database.read(.system) { db in
            guard let row = try await db.first("SELECT api_key_encrypted, tenant_id FROM agent_configs WHERE id = ?", [.text(id)]),
                let sealed = row.string("api_key_encrypted")
            else { return nil }
            return (sealed, row.string("tenant_id"))
        }
    }

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
