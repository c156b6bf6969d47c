import Foundation
import Core

/// The Tunnel object of api.md §12: the stored record, its derived status and URLs, and, in the
/// create response only, the one-time token.
public struct TunnelResource: Sendable, Encodable, Equatable {
    public var record: TunnelRecord
    public var status: TunnelStatus
    public var publicURL: String
    public var pathURL: String?
    public var subdomainURL: String?
    public var token: String?

    public init(_ record: TunnelRecord, urls: TunnelURLs, now: Timestamp) {
        self.record = record
        status = record.status(at: now)
        if record.type == "tcp" {
            publicURL = "tcp://\(TunnelURLs.hostForURL(record.publicHost ?? urls.host)):\(record.publicPort ?? 0)"
        } else {
            let path = urls.pathURL(record.id)
            let subdomain = urls.subdomainURL(record.hostLabel)
            pathURL = urls.pathForm ? path : nil
            subdomainURL = subdomain
            publicURL = urls.mode == "path" && urls.pathForm ? path : subdomain
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, sessionID = "session_id", runnerID = "runner_id", type, direction, localPort = "local_port"
        case publicURL = "public_url", pathURL = "path_url", subdomainURL = "subdomain_url"
        case publicHost = "public_host", publicPort = "public_port", isPublic = "is_public"
        case hostHeader = "host_header", allowCIDRs = "allow_cidrs", status, closeReason = "close_reason", token
        case labels, expiresAt = "expires_at", createdAt = "created_at", closedAt = "closed_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(record.id, forKey: .id)
        try c.encode(record.sessionID, forKey: .sessionID)
        try c.encodeIfPresent(record.runnerID, forKey: .runnerID)
        try c.encode(record.type, forKey: .type)
        try c.encode(record.direction, forKey: .direction)
        try c.encode(record.localPort, forKey: .localPort)
        try c.encode(publicURL, forKey: .publicURL)
        try c.encodeIfPresent(pathURL, forKey: .pathURL)
        try c.encodeIfPresent(subdomainURL, forKey: .subdomainURL)
        try c.encodeIfPresent(record.type == "tcp" ? record.publicHost : nil, forKey: .publicHost)
        try c.encodeIfPresent(record.publicPort, forKey: .publicPort)
        try c.encode(record.isPublic, forKey: .isPublic)
        if record.type == "http" { try c.encode(record.hostHeaderMode, forKey: .hostHeader) }
        try c.encode(record.allowCIDRs, forKey: .allowCIDRs)
        try c.encode(status.rawValue, forKey: .status)
        try c.encodeIfPresent(record.closeReason, forKey: .closeReason)
        try c.encodeIfPresent(token, forKey: .token)
        try c.encode(record.labels, forKey: .labels)
        try c.encode(record.expiresAt, forKey: .expiresAt)
        try c.encode(record.createdAt, forKey: .createdAt)
        try c.encodeIfPresent(record.closedAt, forKey: .closedAt)
    }
}
