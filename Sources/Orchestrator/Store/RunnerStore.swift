import Core

public struct RunnerFilter: Sendable {
    public var statuses: [String] = []
    public var poolName: String?
    public var labels: [String: String] = [:]
    public init() {}
}

extension Store {
    public func runner(_ id: String, scope: TenantScope) async throws -> RunnerRecord? {
        try await database.read(scope) { db in
            var filter = SQLFilter()
            filter.add("id = ?", .text(id))
            filter.tenant(scope)
            return try await db.first("SELECT * FROM runners WHERE \(filter.sql)", filter.binds).map(RunnerRecord.init)
        }
    }

    public func runners(_ criteria: RunnerFilter, page: PageRequest, scope: TenantScope) async throws
        -> Page<RunnerRecord>
    {
        try await runnerPage(criteria, page: page, scope: scope, decode: RunnerRecord.init) { $0 }
    }

    /// A page of runners matching `criteria`, as the public (`RunnerRecord`) or admin view decodes them.
    func runnerPage<Item: Encodable & Sendable>(
        _ criteria: RunnerFilter, page: PageRequest, scope: TenantScope, decode: @escaping @Sendable (SQLRow) throws -> Item,
        runner: @escaping @Sendable (Item) -> RunnerRecord
    ) async throws -> Page<Item> {
        var filter = SQLFilter()
        filter.tenant(scope)
        filter.anyOf("status", criteria.statuses)
        if let pool = criteria.poolName { filter.add("pool_name = ?", .text(pool)) }
        filter.labels(criteria.labels, dialect: dialect)
        return try await database.read(scope) { [filter] db in
            try await keysetPage(
                db, table: "runners", filter: filter, request: page, decode: decode,
                cursorOf: { Cursor(createdAt: runner($0).createdAt, id: runner($0).id) })
        }
    }
}
