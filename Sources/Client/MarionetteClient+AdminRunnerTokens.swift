/// Body of `POST /admin/api/v1/runner-tokens`.
public struct CreateRunnerTokenRequest: Sendable {
    public var poolName: String
    public var tenantID: String?
    public var labels: [(String, String)]?
    /// RFC 3339 expiry.
    public var expiresAt: String?

    public init(poolName: String) {
        self.poolName = poolName
    }

    public var json: JSONValue {
        .object([
            "pool_name": .string(poolName),
            "tenant_id": tenantID.map(JSONValue.string),
            "labels": labels.map(JSONValue.stringMap),
            "expires_at": expiresAt.map(JSONValue.string),
        ])
    }
}

/// Filters of `GET /admin/api/v1/runner-tokens`. Admin lists take `status`
/// and `labels` as one comma-separated parameter each.
public struct RunnerTokenListFilter: Sendable {
    public var poolName: String?
    public var statuses: [String] = []
    public var includeRevoked = false
    public var labels: [(String, String)] = []

    public init() {}

    public var queryItems: [QueryItem] {
        var items: [QueryItem] = []
        if let poolName { items.append(QueryItem("pool_name", poolName)) }
        if !statuses.isEmpty { items.append(QueryItem("status", statuses.joined(separator: ","))) }
        if includeRevoked { items.append(QueryItem("include_revoked", "true")) }
        if !labels.isEmpty { items.append(QueryItem("labels", LabelParser.joined(labels))) }
        return items
    }
}

/// Runner token statuses (api.md §13.3).
public enum RunnerTokenStatus {
    public static let all = ["active", "rotating", "revoked", "expired"]
}

public struct RotationWindowError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    public init(input: String) { self.input = input }
    public var description: String {
        "rotation window \"\(input)\" is out of range: use 0s to 7d (604800 seconds)"
    }
}

/// `mctl admin runner-tokens rotate --window`: how long the old token keeps working.
public enum RunnerTokenRotation {
    /// The server's default window (1 h).
    public static let defaultWindowSeconds = 3600
    /// The server's upper bound (7 d).
    public static let maxWindowSeconds = 604_800

    /// `--window` text (`1h`, `90m`, `3600`, …) as `rotation_window_seconds`.
    /// Throws `DurationParseError` for malformed text and `RotationWindowError` outside 0…7 d.
    public static func windowSeconds(_ text: String) throws -> Int {
        let value = try DurationParser.seconds(text)
        guard value <= Double(maxWindowSeconds) else { throw RotationWindowError(input: text) }
        let seconds = Int(value.rounded())
        guard (0...maxWindowSeconds).contains(seconds) else { throw RotationWindowError(input: text) }
        return seconds
    }
}

/// Admin API (`/admin/api/v1`): runner tokens. Use a client whose base URL is the
/// admin listener and whose credential is Basic or the master key.
extension MarionetteClient {
    static func adminRunnerTokenPath(_ id: String) -> String { "/admin/api/v1/runner-tokens/" + pathSegment(id) }

    /// Returns `{"token": RunnerToken, "raw_token": "rtok_…"}`.
    public func createRunnerToken(_ request: CreateRunnerTokenRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/admin/api/v1/runner-tokens", body: request.json)
    }

    public func listRunnerTokens(
        _ filter: RunnerTokenListFilter = RunnerTokenListFilter(),
        page: PageRequest = PageRequest(),
        all: Bool = false
    ) async throws -> JSONValue {
        all
            ? try await listAll("/admin/api/v1/runner-tokens", query: filter.queryItems, page: page)
            : try await list("/admin/api/v1/runner-tokens", query: filter.queryItems, page: page)
    }

    public func getRunnerToken(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.adminRunnerTokenPath(id))
    }

    public func revokeRunnerToken(_ id: String, reason: String? = nil) async throws {
        try await send(.DELETE, Self.adminRunnerTokenPath(id), body: reason.map { ["reason": .string($0)] })
    }

    /// Returns `{"token": RunnerToken, "raw_token": "rtok_…"}`; the old token keeps
    /// working until `token.rotation_deadline` (server default: 1 h).
    public func rotateRunnerToken(_ id: String, windowSeconds: Int? = nil) async throws -> JSONValue {
        try await sendExpectingBody(
            .POST, Self.adminRunnerTokenPath(id) + "/rotate",
            body: windowSeconds.map { ["rotation_window_seconds": .int($0)] })
    }
}
