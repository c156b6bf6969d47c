import Core

/// A runner as the admin API shows it (api.md §13.3): the public fields plus where it came from
/// and which replica holds its connection.
public struct AdminRunnerRecord: Sendable, Encodable, Equatable {
    public var runner: RunnerRecord
    public var providerConfigID: String?
    public var providerInstanceID: String?
    public var tenantID: String?
    public var connectedReplicaID: String?
    /// The session the runner was started or claimed for, if any (not in the public object).
    var claimSessionID: String?

    enum CodingKeys: String, CodingKey {
        case providerConfigID = "provider_config_id", providerInstanceID = "provider_instance_id", tenantID = "tenant_id"
        case connectedReplicaID = "connected_replica_id"
    }

    init(row: SQLRow) throws {
        runner = try RunnerRecord(row: row)
        providerConfigID = row.string("provider_config_id")
        providerInstanceID = row.string("provider_instance_id")
        tenantID = row.string("tenant_id")
        connectedReplicaID = row.string("connected_replica_id")
        claimSessionID = row.string("claim_session_id")
    }

    public func encode(to encoder: any Encoder) throws {
        try runner.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(providerConfigID, forKey: .providerConfigID)
        try container.encodeIfPresent(providerInstanceID, forKey: .providerInstanceID)
        try container.encodeIfPresent(tenantID, forKey: .tenantID)
        try container.encodeIfPresent(connectedReplicaID, forKey: .connectedReplicaID)
    }
}
