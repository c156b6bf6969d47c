import Core

/// Tunnel rules (api.md §9.1): validation and defaults of create, the per-session limit, TCP
/// ports, TTL, listing, close, and the ingress credential check (§9.4).
///
/// A tunnel may be created on a `pending` or `active` session (a pending session's tunnel answers
/// 503 `runner_not_connected` until a runner attaches); other states answer 409 `invalid_state`.
public struct TunnelService: Sendable {
    public let store: Store
    public var urls: TunnelURLs
    public var settings: ServerConfig.Tunnels
    /// Where TCP tunnels are reached (`tunnels.tcp_public_host`, else the public URL's host).
    public var tcpPublicHost: String
    /// Whether this server can listen on a TCP tunnel port: a port of the range that another
    /// process holds is skipped, not handed out to a tunnel whose listener could not bind it.
    public var tcpPortAvailable: @Sendable (Int) -> Bool = { _ in true }

    public static let types = ["http", "tcp"]
    public static let hostHeaderModes = ["rewrite", "preserve"]

    public init(store: Store, publicURL: String, settings: ServerConfig.Tunnels = ServerConfig.Tunnels()) {
        self.store = store
        self.settings = settings
        urls = TunnelURLs(publicURL: publicURL, domain: settings.domain, mode: settings.urlMode, pathForm: settings.pathFormEnabled)
        tcpPublicHost = settings.tcpPublicHost ?? urls.host
    }

    public func resource(_ record: TunnelRecord) -> TunnelResource {
        TunnelResource(record, urls: urls, now: store.clock.now())
    }

    public func create(_ request: CreateTunnelRequest, sessionID: String, scope: TenantScope) async throws
        -> TunnelResource
    {
        let type = request.type.map { $0.isEmpty ? "http" : $0 } ?? "http"
        guard Self.types.contains(type) else {
            throw APIError(
                status: 400, code: "invalid_type", message: "type must be http or tcp, got \"\(type.prefix(32))\"",
                details: ["field": "type"])
        }
        guard let port = request.localPort else { throw APIError.required("local_port") }
        guard (1...65535).contains(port) else {
            throw APIError.validation("local_port must be 1 to 65535, got \(port)", field: "local_port")
        }
        var ttl = request.ttlSeconds ?? settings.defaultTTLSeconds
        guard ttl >= 1 else { throw APIError.validation("ttl_seconds must be at least 1, got \(ttl)", field: "ttl_seconds") }
        ttl = min(ttl, settings.maxTTLSeconds)
        let hostHeader = request.hostHeader ?? "rewrite"
        if request.hostHeader != nil && type != "http" {
            throw APIError.validation("host_header applies to http tunnels only", field: "host_header")
        }
        try Validate.oneOf(hostHeader, Self.hostHeaderModes, field: "host_header")
        var cidrs: [String] = []
        if let given = request.allowCIDRs {
            guard type == "tcp" else {
                throw APIError.validation("allow_cidrs applies to tcp tunnels only", field: "allow_cidrs")
            }
            guard given.count <= 64 else {
                throw APIError.validation("allow_cidrs takes at most 64 networks", field: "allow_cidrs")
            }
            for text in given {
                guard let cidr = CIDR(text) else {
                    throw APIError.validation(
                        "allow_cidrs: \"\(text.prefix(64))\" is not a network such as 10.0.0.0/8 or ::1/128",
                        field: "allow_cidrs")
                }
                cidrs.append(cidr.description)
            }
        } else if type == "tcp" {
            cidrs = settings.tcpDefaultAllowCIDRs
        }
        let labels = request.labels ?? [:]
        try Labels.validate(labels)
        let token = Tokens.mint(.tunnel)
        let record = try await store.createTunnel(
            NewTunnel(
                sessionID: sessionID, type: type, localPort: port, isPublic: request.isPublic ?? false,
                hostHeaderMode: hostHeader, allowCIDRs: cidrs, token: token,
                expiresAt: store.clock.now().adding(seconds: Int64(ttl)), labels: labels,
                portRange: type == "tcp" ? settings.tcpPortRange : nil, publicHost: tcpPublicHost,
                portAvailable: tcpPortAvailable),
            maxPerSession: settings.maxPerSession, scope: scope)
        var created = resource(record)
        created.token = token.raw
        return created
    }

    /// GET: 404 for unknown ids; 410 `tunnel_closed` / `tunnel_expired` once it ended (api.md §9.1).
    public func get(_ id: String, scope: TenantScope) async throws -> TunnelResource {
        guard let record = try await store.tunnel(id, scope: scope) else { throw APIError.notFound("tunnel", id) }
        let tunnel = resource(record)
        switch tunnel.status {
        case .active: return tunnel
        case .closed: throw APIError.gone("tunnel_closed", "tunnel \(id) was closed")
        case .expired: throw APIError.gone("tunnel_expired", "tunnel \(id) expired at \(record.expiresAt.rfc3339)")
        }
    }

    /// One session's tunnels (an unknown session answers 404), or all tunnels of the scope.
    public func list(_ filter: TunnelFilter, page: PageRequest, scope: TenantScope) async throws -> Page<TunnelResource> {
        if let session = filter.sessionID, try await store.session(session, scope: scope) == nil {
            throw APIError.notFound("session", session)
        }
        let records = try await store.tunnels(filter, page: page, scope: scope)
        return Page(
            items: records.items.map(resource), totalCount: records.totalCount, hasMore: records.hasMore,
            nextCursor: records.nextCursor)
    }

    /// DELETE: closes the tunnel; idempotent on a closed one.
    @discardableResult
    public func close(_ id: String, scope: TenantScope) async throws -> TunnelResource {
        resource(try await store.closeTunnel(id, reason: "closed", scope: scope))
    }

    /// Whether `raw` is this tunnel's own `ttok_` token (hash compared in constant time; the hash
    /// comes from the store row, so every replica agrees).
    public static func tokenMatches(_ raw: String, tunnel: TunnelRecord) -> Bool {
        guard (try? Tokens.checkFormat(raw, expected: .tunnel)) != nil else { return false }
        return Tokens.constantTimeEquals(Tokens.hash(raw), tunnel.tokenHash)
    }
}
