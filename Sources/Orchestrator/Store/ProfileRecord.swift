import Core
import Foundation

/// A runner profile as the admin API shows it (api.md §13.3, data-model.md §3.3).
public struct ProfileRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var providerConfigID: String?
    public var resources: [String: JSONAnyValue]
    public var network: [String: JSONAnyValue]
    public var initScript: String?
    public var cleanupScript: String?
    public var tunnels: [JSONAnyValue]
    public var selector: [String: JSONAnyValue]
    public var isBuiltin: Bool
    public var labels: [String: String]
    public var annotations: [String: String]
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, name, description, providerConfigID = "provider_config_id", resources, network, initScript = "init_script"
        case cleanupScript = "cleanup_script", tunnels, selector, isBuiltin = "is_builtin", labels, annotations
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        name = try row.requiredString("name")
        description = row.string("description")
        providerConfigID = row.string("provider_config_id")
        resources = JSONAnyValue.decodeObject(row.string("resources"))
        network = JSONAnyValue.decodeObject(row.string("network"))
        initScript = row.string("init_script")
        cleanupScript = row.string("cleanup_script")
        tunnels = JSONAnyValue.decodeArray(row.string("tunnels"))
        selector = JSONAnyValue.decodeObject(row.string("selector"))
        isBuiltin = row.bool("is_builtin")
        labels = row.stringMap("labels")
        annotations = row.stringMap("annotations")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}
