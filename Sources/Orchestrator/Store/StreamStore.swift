import Core

public struct StreamFilter: Sendable {
    /// Admin filters (api.md §13.2); the per-session list sets `sessionID` itself.
    public var sessionID: String?
    public var runnerID: String?
    public var tenantID: String?
    public var states: [String] = []
    public var types: [String] = []
    /// Stopped streams are left out unless asked for (or named in `states`).
    public var includeStopped = false
    public init() {}
}

/// Values of a new stream, already validated and defaulted by `StreamService`.
struct NewStream: Sendable {
    var sessionID: String
    var type: String
    var state: StreamStateMachine.State
    var providerName: String
    var width: Int?
    var height: Int?
    var fps: Int?
    var maxSize: Int?
    var bitrateKbps: Int?
    var videoCodec: String?
    var audioCodec: String?
    var audio: Bool
    var input: Bool
    var display: String?
    var serial: String?
    var metadata: [String: MetadataValue]
    var labels: [String: String]
    var expiresAt: Timestamp?
    /// Runner-sourced streams record the session's runner; `webrtc` streams have none.
    var usesRunner: Bool
}

/// A token to store with a new stream: the hash only; the raw value goes back to the caller once.
struct NewStreamToken: Sendable {
    var role: String
    var minted: MintedToken
    var expiresAt: Timestamp
    var createdBy: String?
}

extension Store {
    static let finalStreamStates = "('stopped','failed')"

    /// Checks the session (tenant, state) and the per-session limit, then inserts the stream and
    /// its tokens, in one transaction. On PostgreSQL the session row is locked so concurrent
    /// creates cannot both pass the limit (SQLite has a single writer).
    func createStream(_ new: NewStream, tokens: [NewStreamToken], maxPerSession: Int, scope: TenantScope) async throws
        -> StreamRecord
    {
        let now = now()
        let id = newID(.stream, at: now)
        let dialect = self.dialect
        let stream = try await database.transaction(scope) { db -> StreamRecord in
            let session = try await Self.lockSessionTakingResources(new.sessionID, scope: scope, dialect: dialect, in: db)
            let live = try await db.first(
                "SELECT COUNT(*) AS n FROM streams WHERE session_id = ? AND state NOT IN \(Self.finalStreamStates)",
                [.text(new.sessionID)])?.int("n") ?? 0
            guard live < maxPerSession else {
                throw APIError.conflict(
                    "limit_exceeded",
                    "session \(new.sessionID) already has \(live) streams that are not stopped (limit \(maxPerSession)); stop one first")
            }
            let tenant = SQLValue.optional(session.string("tenant_id"))
            let runner = new.usesRunner ? SQLValue.optional(session.string("runner_id")) : .null
            let rows = try await db.query(
                """
                INSERT INTO streams (id, session_id, runner_id, type, state, provider_name, resolution_width,
                  resolution_height, frame_rate, max_size, bitrate_kbps, video_codec, audio_codec, audio_enabled,
                  input_enabled, display, device_serial, metadata, labels, expires_at, tenant_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [
                    .text(id), .text(new.sessionID), runner, .text(new.type), .text(new.state.rawValue),
                    .text(new.providerName), .optional(new.width), .optional(new.height), .optional(new.fps),
                    .optional(new.maxSize), .optional(new.bitrateKbps), .optional(new.videoCodec),
                    .optional(new.audioCodec), .bool(new.audio), .bool(new.input), .optional(new.display),
                    .optional(new.serial), .json(MetadataValue.encode(new.metadata)), .labels(new.labels),
                    .optional(new.expiresAt), tenant, .timestamp(now), .timestamp(now),
                ])
            for token in tokens {
                try await Self.insertStreamToken(token, streamID: id, tenant: tenant, now: now, in: db)
            }
            return try StreamRecord(row: rows[0])
        }
        await emit("stream.created", stream: stream)
        return stream
    }

    public func stream(_ id: String, scope: TenantScope) async throws -> StreamRecord? {
        try await database.read(scope) { db in try await Self.stream(id, scope: scope, in: db) }
    }

    static func stream(_ id: String, scope: TenantScope, in db: any SQLExecutor) async throws -> StreamRecord? {
        var filter = SQLFilter()
        filter.add("id = ?", .text(id))
        filter.tenant(scope)
        return try await db.first("SELECT * FROM streams WHERE \(filter.sql)", filter.binds).map(StreamRecord.init)
    }

    /// One session's streams, newest first.
    public func streams(sessionID: String, _ criteria: StreamFilter, page: PageRequest, scope: TenantScope)
        async throws -> Page<StreamRecord>
    {
        var criteria = criteria
        criteria.sessionID = sessionID
        return try await streams(criteria, page: page, scope: scope)
    }

    /// Newest first, across sessions (the admin list) or of one (`criteria.sessionID`).
    public func streams(_ criteria: StreamFilter, page: PageRequest, scope: TenantScope) async throws -> Page<StreamRecord> {
        var filter = SQLFilter()
        if let session = criteria.sessionID { filter.add("session_id = ?", .text(session)) }
        if let runner = criteria.runnerID { filter.add("runner_id = ?", .text(runner)) }
        if let tenant = criteria.tenantID { filter.add("tenant_id = ?", .text(tenant)) }
        filter.tenant(scope)
        filter.anyOf("state", criteria.states)
        filter.anyOf("type", criteria.types)
        if !criteria.includeStopped && !criteria.states.contains("stopped") {
            filter.clauses.append("state <> 'stopped'")
        }
        return try await database.read(scope) { [filter] db in
            try await keysetPage(
                db, table: "streams", filter: filter, request: page, decode: StreamRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Compare-and-set state change checked by `StreamStateMachine`; `extra` columns are written
    /// with it. Repeating the current state changes nothing and returns the stream.
    func transitionStream(
        _ id: String, to target: StreamStateMachine.State, extra: [(String, SQLValue)] = [], scope: TenantScope
    ) async throws -> StreamRecord {
        let now = now()
        let (changed, stream) = try await database.transaction(scope) { db -> (Bool, StreamRecord) in
            guard let current = try await Self.stream(id, scope: scope, in: db) else {
                throw APIError.notFound("stream", id)
            }
            let outcome = try StreamStateMachine().check(streamID: id, from: current.machineState, to: target)
            guard outcome == .change else { return (false, current) }
            return (true, try await Self.setStreamState(id, from: current.state, to: target, extra: extra, now: now, in: db))
        }
        if changed {
            switch target {
            case .active: await emit("stream.started", stream: stream)
            case .failed: await emit("stream.failed", stream: stream)
            case .stopped: await emit("stream.stopped", stream: stream)
            default: break
            }
        }
        return stream
    }

    /// DELETE: any live state → stopped (via stopping, in one step while no media resources are
    /// held), `stopped_at` set and the stream's tokens revoked. Stopping a stopped stream is a no-op.
    func stopStream(_ id: String, scope: TenantScope) async throws -> StreamRecord {
        let now = now()
        let (changed, stream) = try await database.transaction(scope) { db -> (Bool, StreamRecord) in
            guard let current = try await Self.stream(id, scope: scope, in: db) else {
                throw APIError.notFound("stream", id)
            }
            guard try StreamStateMachine().checkStop(streamID: id, from: current.machineState) == .change else {
                return (false, current)
            }
            let stopped = try await Self.setStreamState(
                id, from: current.state, to: .stopped, extra: [("stopped_at", .timestamp(now))], now: now, in: db)
            try await db.execute(
                "UPDATE stream_tokens SET revoked_at = ? WHERE stream_id = ? AND revoked_at IS NULL",
                [.timestamp(now), .text(id)])
            return (true, stopped)
        }
        if changed { await emit("stream.stopped", stream: stream) }
        return stream
    }

    static func setStreamState(
        _ id: String, from: String, to target: StreamStateMachine.State, extra: [(String, SQLValue)],
        now: Timestamp, in db: any SQLExecutor
    ) async throws -> StreamRecord {
        let sets = (extra.map { "\($0.0) = ?" } + ["state = ?", "updated_at = ?"]).joined(separator: ", ")
        let rows = try await db.query(
            "UPDATE streams SET \(sets) WHERE id = ? AND state = ? RETURNING *",
            extra.map(\.1) + [.text(target.rawValue), .timestamp(now), .text(id), .text(from)])
        guard let row = rows.first else {
            throw APIError.invalidState("stream \(id) changed state concurrently; retry the request")
        }
        return try StreamRecord(row: row)
    }

    /// A session leaving `active` (suspend, terminate, runner lost) stops its streams and revokes
    /// their tokens, inside the caller's transaction (data-model.md §4.1).
    static func stopStreams(ofSession sessionID: String, now: Timestamp, in db: any SQLExecutor) async throws
        -> [StreamRecord]
    {
        try await db.execute(
            "UPDATE stream_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND stream_id IN "
                + "(SELECT id FROM streams WHERE session_id = ? AND state NOT IN \(finalStreamStates))",
            [.timestamp(now), .text(sessionID)])
        return try await db.query(
            "UPDATE streams SET state = 'stopped', stopped_at = ?, updated_at = ? "
                + "WHERE session_id = ? AND state NOT IN \(finalStreamStates) RETURNING *",
            [.timestamp(now), .timestamp(now), .text(sessionID)]
        ).map(StreamRecord.init)
    }
}
