import Core
import Foundation

/// A provider config as the admin API shows it (api.md §13.3, data-model.md §3.1).
public struct ProviderConfigRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var provider: String
    public var config: [String: JSONAnyValue]
    public var suspendConfig: [String: JSONAnyValue]
    public var isDefault: Bool
    public var labels: [String: String]
    public var annotations: [String: String]
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, provider, config, suspendConfig = "suspend_config", isDefault = "is_default", labels, annotations
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = try row.requiredString("name")
        provider = try row.requiredString("provider")
        config = JSONAnyValue.decodeObject(row.string("config"))
        suspendConfig = JSONAnyValue.decodeObject(row.string("suspend_config"))
        isDefault = row.bool("is_default")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}
