/// Body of `POST /api/v1/sessions/{id}/streams`; `nil` fields are not sent.
public struct CreateStreamRequest: Sendable {
    public var type: String?
    public var width: Int?
    public var height: Int?
    public var maxSize: Int?
    public var fps: Int?
    public var bitrateKbps: Int?
    public var videoCodec: String?
    public var audio: Bool?
    public var input: Bool?
    public var display: String?
    public var xvfb: Bool?
    public var serial: String?
    public var ttlSeconds: Int?
    public var labels: [(String, String)]?

    public init(type: String? = nil) { self.type = type }

    public var json: JSONValue {
        .object([
            "type": type.map(JSONValue.string),
            "width": width.map(JSONValue.int),
            "height": height.map(JSONValue.int),
            "max_size": maxSize.map(JSONValue.int),
            "fps": fps.map(JSONValue.int),
            "bitrate_kbps": bitrateKbps.map(JSONValue.int),
            "video_codec": videoCodec.map(JSONValue.string),
            "audio": audio.map(JSONValue.bool),
            "input": input.map(JSONValue.bool),
            "display": display.map(JSONValue.string),
            "xvfb": xvfb.map(JSONValue.bool),
            "serial": serial.map(JSONValue.string),
            "ttl_seconds": ttlSeconds.map(JSONValue.int),
            "labels": labels.map(JSONValue.stringMap),
        ])
    }
}

/// Filters of `GET /api/v1/sessions/{id}/streams`.
public struct StreamListFilter: Sendable {
    public var states: [String] = []
    public var types: [String] = []
    public var includeStopped = false

    public init() {}

    public var queryItems: [QueryItem] {
        var items = states.map { QueryItem("state", $0) } + types.map { QueryItem("type", $0) }
        if includeStopped { items.append(QueryItem("include_stopped", "true")) }
        return items
    }
}

/// Stream token roles and the viewer page link (api.md §10.5, §10.6).
public enum StreamLinks {
    public static let roles = ["view", "control", "publish"]

    /// `<server>/streams/<id>/view#token=<stok>`: the token rides in the fragment, which browsers
    /// never send to the server, so it stays out of access logs.
    public static func viewerURL(server: String, streamID: String, token: String) -> String {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/streams/" + MarionetteClient.pathSegment(streamID) + "/view#token=" + token
    }
}

extension MarionetteClient {
    static func streamPath(_ id: String) -> String { "/api/v1/streams/" + pathSegment(id) }

    public func createStream(sessionID: String, _ request: CreateStreamRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, Self.sessionPath(sessionID) + "/streams", body: request.json)
    }

    public func listStreams(
        sessionID: String, _ filter: StreamListFilter = StreamListFilter(), page: PageRequest = PageRequest(),
        all: Bool = false
    ) async throws -> JSONValue {
        let path = Self.sessionPath(sessionID) + "/streams"
        return all
            ? try await listAll(path, query: filter.queryItems, page: page)
            : try await list(path, query: filter.queryItems, page: page)
    }

    public func getStream(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.streamPath(id))
    }

    /// Stops a stream (`DELETE`); stopping a stopped stream succeeds.
    public func stopStream(_ id: String) async throws {
        try await send(.DELETE, Self.streamPath(id))
    }

    /// Live SFU counters of a stream (`GET /streams/{id}/stats`, api.md §10.1).
    public func streamStats(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.streamPath(id) + "/stats")
    }

    /// Mints a `stok_` token; `nil` values take the server defaults (`view`, one hour).
    public func createStreamToken(_ id: String, role: String? = nil, ttlSeconds: Int? = nil) async throws -> JSONValue {
        let body: JSONValue = .object(["role": role.map(JSONValue.string), "ttl_seconds": ttlSeconds.map(JSONValue.int)])
        return try await sendExpectingBody(.POST, Self.streamPath(id) + "/tokens", body: body)
    }
}
