import Core

/// A row of `tunnels` (data-model.md §3.20) plus, when read for the ingress, the state of its
/// session. `TunnelResource` turns it into the API's Tunnel object; the token hash never leaves the
/// server (it is not among the encoded keys; the API encodes `TunnelResource`).
public struct TunnelRecord: Sendable, Equatable, Encodable {
    public var id: String
    public var sessionID: String
    public var runnerID: String?
    public var type: String
    public var direction: String
    public var localPort: Int
    public var isPublic: Bool
    public var hostLabel: String
    public var publicHost: String?
    public var publicPort: Int?
    public var hostHeaderMode: String
    public var allowCIDRs: [String]
    public var tokenHash: String
    public var tokenPrefix: String?
    public var expiresAt: Timestamp
    public var closedAt: Timestamp?
    public var closeReason: String?
    public var labels: [String: String]
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, sessionID = "session_id", runnerID = "runner_id", type, direction, localPort = "local_port"
        case isPublic = "is_public", publicHost = "public_host", publicPort = "public_port"
        case hostHeaderMode = "host_header", allowCIDRs = "allow_cidrs", expiresAt = "expires_at"
        case closedAt = "closed_at", closeReason = "close_reason", labels, createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// `active`, `closed` or `expired` at `now`: an open tunnel past `expires_at` is expired even
    /// before the sweeper records it.
    public func status(at now: Timestamp) -> TunnelStatus {
        if closedAt != nil { return closeReason == "expired" ? .expired : .closed }
        return expiresAt <= now ? .expired : .active
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        sessionID = try row.requiredString("session_id")
        runnerID = row.string("runner_id")
        type = try row.requiredString("type")
        direction = row.string("direction") ?? "outbound"
        localPort = row.int("local_port") ?? 0
        isPublic = row.bool("is_public")
        hostLabel = try row.requiredString("host_label")
        publicHost = row.string("public_host")
        publicPort = row.int("public_port")
        hostHeaderMode = row.string("host_header_mode") ?? "rewrite"
        allowCIDRs = row.stringArray("allow_cidrs")
        tokenHash = try row.requiredString("token_hash")
        tokenPrefix = row.string("token_prefix")
        expiresAt = try row.requiredTimestamp("expires_at")
        closedAt = row.timestamp("closed_at")
        closeReason = row.string("close_reason")
        labels = row.stringMap("labels")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}
