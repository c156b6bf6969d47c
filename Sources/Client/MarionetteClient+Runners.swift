/// Filters of `GET /api/v1/runners`.
public struct RunnerListFilter: Sendable {
    public var statuses: [String] = []
    public var poolName: String?
    public var labels: [(String, String)] = []

    public init() {}

    public var queryItems: [QueryItem] {
        var items = statuses.map { QueryItem("status", $0) }
        if let poolName { items.append(QueryItem("pool_name", poolName)) }
        return items + labelQueryItems(labels)
    }
}

extension MarionetteClient {
    public func listRunners(_ filter: RunnerListFilter = RunnerListFilter(), page: PageRequest = PageRequest(), all: Bool = false)
        async throws -> JSONValue
    {
        all
            ? try await listAll("/api/v1/runners", query: filter.queryItems, page: page)
            : try await list("/api/v1/runners", query: filter.queryItems, page: page)
    }

    public func getRunner(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, "/api/v1/runners/" + Self.pathSegment(id))
    }
}
