import Core

public struct TunnelFilter: Sendable {
    public var sessionID: String?
    /// Admin filter (api.md §13.2).
    public var tenantID: String?
    public var types: [String] = []
    /// Closed and expired tunnels are left out unless asked for.
    public var includeClosed = false
    public init() {}
}

/// Values of a new tunnel, already validated and defaulted by `TunnelService`.
struct NewTunnel: Sendable {
    var sessionID: String
    var type: String
    var localPort: Int
    var isPublic: Bool
    var hostHeaderMode: String
    var allowCIDRs: [String]
    var token: MintedToken
    var expiresAt: Timestamp
    var labels: [String: String]
    /// TCP tunnels take the lowest free port of this range; nil for HTTP.
    var portRange: ClosedRange<Int>?
    var publicHost: String?
    /// Whether this host can listen on a port of the range (another process may hold one).
    var portAvailable: @Sendable (Int) -> Bool = { _ in true }
}

/// A tunnel as the ingress needs it: the row plus its session's state and current runner.
public struct TunnelTarget: Sendable, Equatable {
    public var tunnel: TunnelRecord
    public var sessionStatus: String
    /// The runner the session is on now (the tunnel row keeps the one at create time).
    public var sessionRunnerID: String?
}

extension Store {
    /// Checks the session (tenant, state) and the per-session limit, picks a TCP port, then
    /// inserts the tunnel, in one transaction. On PostgreSQL the session row is locked so
    /// concurrent creates cannot both pass the limit or take the same port (SQLite has a single
    /// writer); the partial unique indexes back both up.
    func createTunnel(_ new: NewTunnel, maxPerSession: Int, scope: TenantScope) async throws -> TunnelRecord {
        let now = now()
        let dialect = self.dialect
        let tunnel = try await database.transaction(scope) { db -> TunnelRecord in
            let session = try await Self.lockSessionTakingResources(new.sessionID, scope: scope, dialect: dialect, in: db)
            let open = try await db.first(
                "SELECT COUNT(*) AS n FROM tunnels WHERE session_id = ? AND closed_at IS NULL AND expires_at > ?",
                [.text(new.sessionID), .timestamp(now)])?.int("n") ?? 0
            guard open < maxPerSession else {
                throw APIError.conflict(
                    "limit_exceeded",
                    "session \(new.sessionID) already has \(open) open tunnels (limit \(maxPerSession)); close one first")
            }
            var port: Int?
            if let range = new.portRange {
                // Ports of tunnels that are closed in the store are free even if the sweeper has not run.
                let used = Set(
                    try await db.query(
                        "SELECT public_port FROM tunnels WHERE closed_at IS NULL AND public_port IS NOT NULL", []
                    ).compactMap { $0.int("public_port") })
                guard let free = range.first(where: { !used.contains($0) && new.portAvailable($0) }) else {
                    throw APIError.serviceUnavailable(
                        "no free TCP tunnel port in \(range.lowerBound)-\(range.upperBound) (\(used.count) held by open tunnels, "
                            + "the rest by other processes); close a TCP tunnel or widen tunnels.tcp_port_range")
                }
                port = free
            }
            let tenant = SQLValue.optional(session.string("tenant_id"))
            // The lower-cased id must not collide with an open tunnel's host label (api.md §9.2).
            for _ in 0..<8 {
                let id = newID(.tunnel, at: now)
                let label = TunnelHostLabel.label(forID: id)
                let taken = try await db.first(
                    "SELECT id FROM tunnels WHERE host_label = ? AND closed_at IS NULL", [.text(label)])
                if taken != nil { continue }
                let rows = try await db.query(
                    """
                    INSERT INTO tunnels (id, session_id, runner_id, type, direction, local_port, is_public, host_label,
                      public_host, public_port, host_header_mode, allow_cidrs, token_hash, token_prefix, hash_version,
                      expires_at, labels, tenant_id, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'outbound', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING *
                    """,
                    [
                        .text(id), .text(new.sessionID), .optional(session.string("runner_id")), .text(new.type),
                        .int(new.localPort), .bool(new.isPublic), .text(label),
                        port == nil ? .null : .optional(new.publicHost), .optional(port),
                        .text(new.hostHeaderMode), .textArray(new.allowCIDRs), .text(new.token.hash),
                        .text(new.token.displayPrefix), .timestamp(new.expiresAt), .labels(new.labels), tenant,
                        .timestamp(now), .timestamp(now),
                    ])
                return try TunnelRecord(row: rows[0])
            }
            throw APIError.serviceUnavailable("could not draw a free tunnel id; retry the request")
        }
        await emit("tunnel.created", tunnel: tunnel)
        return tunnel
    }

    public func tunnel(_ id: String, scope: TenantScope) async throws -> TunnelRecord? {
        try await database.read(scope) { db in
            var filter = SQLFilter()
            filter.add("id = ?", .text(id))
            filter.tenant(scope)
            return try await db.first("SELECT * FROM tunnels WHERE \(filter.sql)", filter.binds).map(TunnelRecord.init)
        }
    }

    /// The ingress lookup, by id or by (lower-cased) host label, across tenants: the tunnel's own
    /// credential or an API key of its tenant is checked afterwards. The newest row wins for a label.
    public func tunnelTarget(id: String? = nil, hostLabel: String? = nil) async throws -> TunnelTarget? {
        try await database.read(.system) { db in
            let (column, value) = id != nil ? ("t.id", id!) : ("t.host_label", hostLabel ?? "")
            guard let row = try await db.first(
                """
                SELECT t.*, s.status AS session_status, s.runner_id AS session_runner_id
                FROM tunnels t JOIN sessions s ON s.id = t.session_id WHERE \(column) = ?
                ORDER BY t.created_at DESC LIMIT 1
                """,
                [.text(value)])
            else { return nil }
            return TunnelTarget(
                tunnel: try TunnelRecord(row: row), sessionStatus: row.string("session_status") ?? "?",
                sessionRunnerID: row.string("session_runner_id"))
        }
    }

    /// Tunnels newest first; without a session filter, every tunnel of the scope.
    public func tunnels(_ criteria: TunnelFilter, page: PageRequest, scope: TenantScope) async throws
        -> Page<TunnelRecord>
    {
        var filter = SQLFilter()
        if let session = criteria.sessionID { filter.add("session_id = ?", .text(session)) }
        if let tenant = criteria.tenantID { filter.add("tenant_id = ?", .text(tenant)) }
        filter.tenant(scope)
        filter.anyOf("type", criteria.types)
        if !criteria.includeClosed {
            filter.add("closed_at IS NULL AND expires_at > ?", .timestamp(now()))
        }
        return try await database.read(scope) { [filter] db in
            try await keysetPage(
                db, table: "tunnels", filter: filter, request: page, decode: TunnelRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// DELETE: an open tunnel gets `closed_at` and the reason. Closing a closed tunnel changes
    /// nothing and returns it.
    func closeTunnel(_ id: String, reason: String, scope: TenantScope) async throws -> TunnelRecord {
        let now = now()
        let (closed, tunnel) = try await database.transaction(scope) { db -> (Bool, TunnelRecord) in
            var filter = SQLFilter()
            filter.add("id = ?", .text(id))
            filter.tenant(scope)
            guard let current = try await db.first("SELECT * FROM tunnels WHERE \(filter.sql)", filter.binds)
                .map(TunnelRecord.init)
            else { throw APIError.notFound("tunnel", id) }
            guard current.closedAt == nil else { return (false, current) }
            let rows = try await db.query(
                "UPDATE tunnels SET closed_at = ?, close_reason = ?, updated_at = ? WHERE id = ? AND closed_at IS NULL RETURNING *",
                [.timestamp(now), .text(reason), .timestamp(now), .text(id)])
            guard let row = rows.first else { return (false, current) }
            return (true, try TunnelRecord(row: row))
        }
        if closed { await emit("tunnel.closed", tunnel: tunnel) }
        return tunnel
    }

    /// Open tunnels whose expiry has passed are closed with reason `expired`; returns their ids.
    public func expireTunnels() async throws -> [String] {
        let now = now()
        let expired = try await database.transaction(.system) { db in
            try await db.query(
                "UPDATE tunnels SET closed_at = ?, close_reason = 'expired', updated_at = ? "
                    + "WHERE closed_at IS NULL AND expires_at <= ? RETURNING *",
                [.timestamp(now), .timestamp(now), .timestamp(now)]
            ).map(TunnelRecord.init)
        }
        for tunnel in expired { await emit("tunnel.expired", tunnel: tunnel) }
        return expired.map(\.id)
    }

    /// Ids of every open, unexpired tunnel of `type` (the TCP listeners to keep bound).
    public func openTunnels(type: String) async throws -> [TunnelRecord] {
        let now = now()
        return try await database.read(.system) { db in
            try await db.query(
                "SELECT * FROM tunnels WHERE type = ? AND closed_at IS NULL AND expires_at > ? ORDER BY created_at",
                [.text(type), .timestamp(now)]
            ).map(TunnelRecord.init)
        }
    }

    /// A session leaving `active`/`pending` closes its tunnels inside the caller's transaction
    /// (data-model.md §4.1).
    static func closeTunnels(ofSession sessionID: String, reason: String, now: Timestamp, in db: any SQLExecutor)
        async throws -> [TunnelRecord]
    {
        try await db.query(
            "UPDATE tunnels SET closed_at = ?, close_reason = ?, updated_at = ? WHERE session_id = ? AND closed_at IS NULL "
                + "RETURNING *",
            [.timestamp(now), .text(reason), .timestamp(now), .text(sessionID)]
        ).map(TunnelRecord.init)
    }
}
