/// Admin API: runners of every tenant with their provider fields (api.md §13.2).
extension MarionetteClient {
    static func adminRunnerPath(_ id: String) -> String { "/admin/api/v1/runners/" + pathSegment(id) }

    /// `filter.labels` go as the admin API's `labels=k=v,…`.
    public func listAdminRunners(_ filter: RunnerListFilter, page: PageRequest = PageRequest(), all: Bool = false) async throws -> JSONValue {
        var query: [QueryItem] = []
        if !filter.statuses.isEmpty { query.append(QueryItem("status", filter.statuses.joined(separator: ","))) }
        if let poolName = filter.poolName { query.append(QueryItem("pool_name", poolName)) }
        if !filter.labels.isEmpty { query.append(QueryItem("labels", LabelParser.joined(filter.labels))) }
        return all
            ? try await listAll("/admin/api/v1/runners", query: query, page: page)
            : try await list("/admin/api/v1/runners", query: query, page: page)
    }

    public func getAdminRunner(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.adminRunnerPath(id))
    }

    /// Refused (409 `invalid_state`) while a session holds the runner.
    public func destroyRunner(_ id: String) async throws {
        try await send(.DELETE, Self.adminRunnerPath(id))
    }
}
