import Core

/// Body of `POST /sessions/{id}/tunnels` (api.md §9.1). Every field is optional at decode time so
/// the service can name a missing or bad field. Aliases: `is_public` for `public`, `allowed_cidrs`
/// for `allow_cidrs`; the canonical name wins when both are sent.
public struct CreateTunnelRequest: Decodable, Sendable {
    public var type: String?
    public var localPort: Int?
    public var isPublic: Bool?
    public var ttlSeconds: Int?
    public var hostHeader: String?
    public var allowCIDRs: [String]?
    public var labels: [String: String]?

    public init(type: String? = nil, localPort: Int? = nil) {
        self.type = type
        self.localPort = localPort
    }

    enum CodingKeys: String, CodingKey {
        case type, localPort = "local_port", isPublic = "public", ttlSeconds = "ttl_seconds"
        case hostHeader = "host_header", allowCIDRs = "allow_cidrs", labels
        case isPublicAlias = "is_public", allowedCIDRs = "allowed_cidrs"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        localPort = try c.decodeIfPresent(Int.self, forKey: .localPort)
        isPublic = try c.decodeIfPresent(Bool.self, forKey: .isPublic) ?? c.decodeIfPresent(Bool.self, forKey: .isPublicAlias)
        ttlSeconds = try c.decodeIfPresent(Int.self, forKey: .ttlSeconds)
        hostHeader = try c.decodeIfPresent(String.self, forKey: .hostHeader)
        allowCIDRs = try c.decodeIfPresent([String].self, forKey: .allowCIDRs)
            ?? c.decodeIfPresent([String].self, forKey: .allowedCIDRs)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
    }
}
