import Core

/// Stream rules (api.md §10.1, §10.6): validation and per-type defaults of create, the
/// per-session limit, stop, token minting and the state changes the SFU side reports.
///
/// Runner-sourced types (`testsrc`, `desktop`, `android`) are created `pending` whether or not the
/// session's runner is connected: viewers may join a pending stream (api.md §10.2); the hooks send
/// `StartStream` to the runner now or when it connects. `webrtc` streams start in `starting`,
/// waiting for their WHIP publisher.
public struct StreamService: Sendable {
    public let store: Store
    /// Base of the URLs in the Stream object (`server.public_url`).
    public var publicURL: String
    /// `streams.max_per_session`: non-final streams one session may hold.
    public var maxPerSession = 4
    let machine = StreamStateMachine()
    /// Reaches the session's runner (StartStream / StopStream).
    public var hooks: (any OrchestrationHooks)?

    public init(store: Store, publicURL: String) {
        self.store = store
        self.publicURL = publicURL
    }

    public static let types = ["testsrc", "desktop", "android", "webrtc"]
    /// Types the schema knows but no runner can produce yet.
    public static let laterTypes = ["browser", "ios"]
    public static let maxTokenSeconds = 86_400
    public static let defaultTokenSeconds = 3600

    /// Per-type defaults (api.md §10.1).
    struct Defaults {
        var provider: String
        var width: Int?
        var height: Int?
        var fps: Int?
        var bitrateKbps: Int?
        var codecs: [String]
        var input: Bool

        static func of(_ type: String) -> Defaults {
            switch type {
            case "testsrc":
                return Defaults(provider: "testsrc", width: 1280, height: 720, fps: 30, bitrateKbps: 4000, codecs: ["vp8", "vp9"], input: false)
            case "android":
                return Defaults(provider: "scrcpy", fps: 60, bitrateKbps: 8000, codecs: ["h264"], input: true)
            case "webrtc":
                // The publisher chooses size, rate and codec in its WHIP offer.
                return Defaults(provider: "whip", codecs: ["vp8", "vp9", "h264"], input: false)
            default:
                return Defaults(provider: "x11", width: 1920, height: 1080, fps: 30, bitrateKbps: 2500, codecs: ["vp8", "vp9"], input: true)
            }
        }
    }

    public func create(_ request: CreateStreamRequest, sessionID: String, createdBy: String?, scope: TenantScope)
        async throws -> StreamResource
    {
        let type = request.type ?? "desktop"
        if Self.laterTypes.contains(type) {
            throw APIError(
                status: 400, code: "unsupported_stream_type",
                message: "stream type \"\(type)\" is not supported yet; use testsrc, desktop, android or webrtc")
        }
        try Validate.oneOf(type, Self.types, field: "type")
        let defaults = Defaults.of(type)
        let width = try Self.range(request.width, 16...7680, field: "width") ?? defaults.width
        let height = try Self.range(request.height, 16...4320, field: "height") ?? defaults.height
        let fps = try Self.range(request.fps, 1...120, field: "fps") ?? defaults.fps
        let bitrate = try Self.range(request.bitrateKbps, 100...100_000, field: "bitrate_kbps") ?? defaults.bitrateKbps
        var maxSize = try Self.range(request.maxSize, 16...7680, field: "max_size")
        if type == "android" {
            maxSize = maxSize ?? 1920
        } else if maxSize != nil {
            throw APIError.validation("max_size applies to android streams only", field: "max_size")
        }
        var codec = request.videoCodec
        if let given = codec {
            guard defaults.codecs.contains(given) else {
                throw APIError.validation(
                    "video_codec for \(type) streams must be \(defaults.codecs.joined(separator: " or ")), got \"\(given.prefix(32))\"",
                    field: "video_codec")
            }
        } else if type != "webrtc" {
            codec = defaults.codecs[0]
        }
        let audio = request.audio ?? false
        let input = request.input ?? defaults.input
        if input && !defaults.input {
            throw APIError.validation("input is only available on desktop and android streams", field: "input")
        }
        var display: String?
        var metadata: [String: MetadataValue] = [:]
        if type == "desktop" {
            display = request.display ?? ":99"
            try Self.validateDisplay(display!)
            metadata["xvfb"] = .bool(request.xvfb ?? true)
        } else if request.display != nil {
            throw APIError.validation("display applies to desktop streams only", field: "display")
        } else if request.xvfb != nil {
            throw APIError.validation("xvfb applies to desktop streams only", field: "xvfb")
        }
        if let serial = request.serial {
            guard type == "android" else { throw APIError.validation("serial applies to android streams only", field: "serial") }
            guard (1...128).contains(serial.count), serial.allSatisfy({ !$0.isWhitespace }) else {
                throw APIError.validation("serial must be 1-128 characters without spaces", field: "serial")
            }
        }
        let ttl = request.ttlSeconds ?? 0
        guard (0...31_536_000).contains(ttl) else {
            throw APIError.validation("ttl_seconds must be 0 (until stopped) to 31536000", field: "ttl_seconds")
        }
        let labels = request.labels ?? [:]
        try Labels.validate(labels)

        let now = store.clock.now()
        let expiresAt = ttl > 0 ? now.adding(seconds: Int64(ttl)) : nil
        // Create-time tokens live as long as the stream, at most 24 h (api.md §10.6).
        let tokenExpiry = now.adding(seconds: Int64(ttl > 0 ? min(ttl, Self.maxTokenSeconds) : Self.maxTokenSeconds))
        let viewer = Tokens.mint(.stream)
        var tokens = [NewStreamToken(role: input ? "control" : "view", minted: viewer, expiresAt: tokenExpiry, createdBy: createdBy)]
        let publisher = type == "webrtc" ? Tokens.mint(.stream) : nil
        if let publisher {
            tokens.append(NewStreamToken(role: "publish", minted: publisher, expiresAt: tokenExpiry, createdBy: createdBy))
        }
        let record = try await store.createStream(
            NewStream(
                sessionID: sessionID, type: type, state: type == "webrtc" ? .starting : .pending,
                providerName: defaults.provider, width: width, height: height, fps: fps, maxSize: maxSize,
                bitrateKbps: bitrate, videoCodec: codec, audioCodec: audio ? "opus" : nil, audio: audio, input: input,
                display: display, serial: request.serial, metadata: metadata, labels: labels, expiresAt: expiresAt,
                usesRunner: type != "webrtc"),
            tokens: tokens, maxPerSession: maxPerSession, scope: scope)
        if type != "webrtc" { await hooks?.streamCreated(streamID: record.id, sessionID: sessionID) }
        var created = self.resource(record)
        created.viewerToken = viewer.raw
        created.publishToken = publisher?.raw
        return created
    }

    public func resource(_ record: StreamRecord) -> StreamResource { StreamResource(record, publicURL: publicURL) }

    public func get(_ id: String, scope: TenantScope) async throws -> StreamResource {
        resource(try await record(id, scope: scope))
    }

    public func record(_ id: String, scope: TenantScope) async throws -> StreamRecord {
        guard let stream = try await store.stream(id, scope: scope) else { throw APIError.notFound("stream", id) }
        return stream
    }

    /// One session's streams; an unknown session (or another tenant's) answers 404.
    public func list(sessionID: String, _ filter: StreamFilter, page: PageRequest, scope: TenantScope) async throws
        -> Page<StreamResource>
    {
        guard try await store.session(sessionID, scope: scope) != nil else { throw APIError.notFound("session", sessionID) }
        let records = try await store.streams(sessionID: sessionID, filter, page: page, scope: scope)
        return Page(
            items: records.items.map(resource), totalCount: records.totalCount, hasMore: records.hasMore,
            nextCursor: records.nextCursor)
    }

    /// Streams of every session the scope sees (`GET /admin/api/v1/streams`).
    public func list(_ filter: StreamFilter, page: PageRequest, scope: TenantScope) async throws -> Page<StreamResource> {
        let records = try await store.streams(filter, page: page, scope: scope)
        return Page(
            items: records.items.map(resource), totalCount: records.totalCount, hasMore: records.hasMore,
            nextCursor: records.nextCursor)
    }

    /// DELETE: → `stopped`; idempotent on a stopped stream.
    @discardableResult
    public func stop(_ id: String, scope: TenantScope) async throws -> StreamResource {
        let stopped = try await store.stopStream(id, scope: scope)
        if stopped.type != "webrtc" { await hooks?.streamStopped(streamID: id, sessionID: stopped.sessionID) }
        return resource(stopped)
    }

    /// `POST /streams/{id}/tokens`: role `view` and one hour unless asked otherwise, never past
    /// 24 h or the stream's own expiry.
    public func mintToken(_ id: String, _ request: CreateStreamTokenRequest, createdBy: String?, scope: TenantScope)
        async throws -> CreatedStreamToken
    {
        let role = request.role ?? StreamTokenRole.view.rawValue
        try Validate.oneOf(role, StreamTokenRole.allCases.map(\.rawValue), field: "role")
        let ttl = request.ttlSeconds ?? Self.defaultTokenSeconds
        guard (1...Self.maxTokenSeconds).contains(ttl) else {
            throw APIError.validation("ttl_seconds must be 1 to \(Self.maxTokenSeconds)", field: "ttl_seconds")
        }
        let stream = try await record(id, scope: scope)
        if role == "publish" && stream.type != "webrtc" {
            throw APIError.validation("role publish is only for webrtc streams; this one is \(stream.type)", field: "role")
        }
        if role == "control" && !stream.input {
            throw APIError.validation("stream \(id) has input disabled; mint a view token", field: "role")
        }
        var expiresAt = store.clock.now().adding(seconds: Int64(ttl))
        if let end = stream.expiresAt, end < expiresAt { expiresAt = end }
        let minted = Tokens.mint(.stream)
        try await store.addStreamToken(
            NewStreamToken(role: role, minted: minted, expiresAt: expiresAt, createdBy: createdBy), streamID: id,
            scope: scope)
        return CreatedStreamToken(token: minted.raw, role: role, expiresAt: expiresAt)
    }

    // MARK: - State changes reported by the SFU / runner side

    /// `pending → starting` (capture requested) or `active → starting` (publisher lost, recoverable).
    public func markStarting(_ id: String, scope: TenantScope = .system) async throws -> StreamRecord {
        try await store.transitionStream(id, to: .starting, scope: scope)
    }

    /// `starting | paused → active`; the first activation records `started_at`.
    public func markActive(_ id: String, scope: TenantScope = .system) async throws -> StreamRecord {
        let current = try await record(id, scope: scope)
        let extra: [(String, SQLValue)] = current.startedAt == nil ? [("started_at", .timestamp(store.clock.now()))] : []
        return try await store.transitionStream(id, to: .active, extra: extra, scope: scope)
    }

    /// `active → paused`: no viewers, capture idled.
    public func markPaused(_ id: String, scope: TenantScope = .system) async throws -> StreamRecord {
        try await store.transitionStream(id, to: .paused, scope: scope)
    }

    /// `pending | starting | active → failed` with a machine-readable code (e.g.
    /// `device_disconnected`, `display_unavailable`) and a message for people.
    public func markFailed(_ id: String, code: String, message: String, scope: TenantScope = .system) async throws
        -> StreamRecord
    {
        try await store.transitionStream(
            id, to: .failed,
            extra: [("error_code", .text(String(code.prefix(64)))), ("error", .text(String(message.prefix(1024))))],
            scope: scope)
    }

    static func range(_ value: Int?, _ allowed: ClosedRange<Int>, field: String) throws(APIError) -> Int? {
        guard let value else { return nil }
        guard allowed.contains(value) else {
            throw .validation("\(field) must be \(allowed.lowerBound) to \(allowed.upperBound), got \(value)", field: field)
        }
        return value
    }

    /// X display names: `:N` or `:N.S`.
    static func validateDisplay(_ display: String) throws(APIError) {
        let parts = display.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard display.hasPrefix(":"), display.count <= 16, (1...2).contains(parts.count),
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { throw .validation("display must look like :99 or :99.0, got \"\(display.prefix(32))\"", field: "display") }
    }
}
