/// Filters of `GET /api/v1/permissions`.
public struct PermissionListFilter: Sendable {
    public var sessionID: String?
    public var taskID: String?
    /// Empty = every status.
    public var statuses: [String] = []
    public var riskLevels: [String] = []

    public init() {}

    public var queryItems: [QueryItem] {
        var items: [QueryItem] = []
        if let sessionID { items.append(QueryItem("session_id", sessionID)) }
        if let taskID { items.append(QueryItem("task_id", taskID)) }
        items += statuses.map { QueryItem("status", $0) }
        items += riskLevels.map { QueryItem("risk_level", $0) }
        return items
    }
}

extension MarionetteClient {
    public func listPermissions(
        _ filter: PermissionListFilter = PermissionListFilter(), page: PageRequest = PageRequest(), all: Bool = false
    ) async throws -> JSONValue {
        all
            ? try await listAll("/api/v1/permissions", query: filter.queryItems, page: page)
            : try await list("/api/v1/permissions", query: filter.queryItems, page: page)
    }

    public func getPermission(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, "/api/v1/permissions/" + Self.pathSegment(id))
    }

    /// `approve` or `deny`, with an optional reason.
    public func answerPermission(_ id: String, approve: Bool, reason: String? = nil) async throws {
        let body: JSONValue? = reason.map { ["reason": .string($0)] }
        _ = try await send(.POST, "/api/v1/permissions/" + Self.pathSegment(id) + (approve ? "/approve" : "/deny"), body: body)
    }
}
