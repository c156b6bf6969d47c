import Core
import Foundation

/// An agent config as the admin API shows it (api.md §13.3): never the API key, in any form.
public struct AgentConfigRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var agent: String
    public var model: String?
    public var baseURL: String?
    public var extra: [String: JSONAnyValue]
    public var isDefault: Bool
    public var labels: [String: String]
    public var annotations: [String: String]
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, agent, model, baseURL = "base_url", extra, isDefault = "is_default", labels, annotations
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = try row.requiredString("name")
        agent = try row.requiredString("agent")
        model = row.string("model")
        baseURL = row.string("base_url")
        extra = JSONAnyValue.decodeObject(row.string("extra"))
        isDefault = row.bool("is_default")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}
