import Core

struct NewWorkspace: Sendable {
    var name: String
    var persist: Bool
    var storageType: String
    var mobility: String
    var diskQuotaMB: Int?
    var labels: [String: String]
    var annotations: [String: String]
}

extension Store {
    func createWorkspace(_ new: NewWorkspace, scope: TenantScope) async throws -> WorkspaceRecord {
        let now = now()
        let id = newID(.workspace, at: now)
        do {
            return try await database.transaction(scope) { db in
                let rows = try await db.query(
                    """
                    INSERT INTO workspaces (id, name, persist, storage_type, mobility, disk_quota_mb, labels, annotations,
                      tenant_id, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                    """,
                    [
                        .text(id), .text(new.name), .bool(new.persist), .text(new.storageType), .text(new.mobility),
                        .optional(new.diskQuotaMB), .labels(new.labels), .labels(new.annotations),
                        .optional(scope.tenantID), .timestamp(now), .timestamp(now),
                    ])
                return try WorkspaceRecord(row: rows[0])
            }
        } catch DatabaseError.uniqueViolation {
            throw APIError.conflict("already_exists", "a workspace named \"\(new.name)\" already exists")
        }
    }

    public func workspace(_ id: String, scope: TenantScope) async throws -> WorkspaceRecord? {
        try await database.read(scope) { db in
            var filter = SQLFilter()
            filter.add("id = ?", .text(id))
            filter.tenant(scope)
            return try await db.first("SELECT * FROM workspaces WHERE \(filter.sql)", filter.binds)
                .map(WorkspaceRecord.init)
        }
    }

    public func workspaces(labels: [String: String], page: PageRequest, scope: TenantScope) async throws
        -> Page<WorkspaceRecord>
    {
        var filter = SQLFilter()
        filter.tenant(scope)
        filter.clauses.append("deleted_at IS NULL")
        filter.labels(labels, dialect: dialect)
        return try await database.read(scope) { [filter] db in
            try await keysetPage(
                db, table: "workspaces", filter: filter, request: page, decode: WorkspaceRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    func updateWorkspace(_ id: String, changes: [(String, SQLValue)], scope: TenantScope) async throws
        -> WorkspaceRecord
    {
        let now = now()
        do {
            return try await database.transaction(scope) { db in
                var filter = SQLFilter()
                filter.add("id = ?", .text(id))
                filter.tenant(scope)
                guard let row = try await db.first("SELECT deleted_at FROM workspaces WHERE \(filter.sql)", filter.binds)
                else { throw APIError.notFound("workspace", id) }
                guard row.timestamp("deleted_at") == nil else { throw APIError.gone("deleted", "workspace \(id) is deleted") }
                let sets = (changes.map { "\($0.0) = ?" } + ["updated_at = ?"]).joined(separator: ", ")
                let rows = try await db.query(
                    "UPDATE workspaces SET \(sets) WHERE id = ? RETURNING *",
                    changes.map(\.1) + [.timestamp(now), .text(id)])
                return try WorkspaceRecord(row: rows[0])
            }
        } catch DatabaseError.uniqueViolation {
            throw APIError.conflict("already_exists", "another workspace already has that name")
        }
    }

    /// Soft delete; refused while a non-terminated session uses the workspace.
    func deleteWorkspace(_ id: String, scope: TenantScope) async throws {
        let now = now()
        try await database.transaction(scope) { db in
            var filter = SQLFilter()
            filter.add("id = ?", .text(id))
            filter.tenant(scope)
            guard let row = try await db.first("SELECT deleted_at FROM workspaces WHERE \(filter.sql)", filter.binds)
            else { throw APIError.notFound("workspace", id) }
            guard row.timestamp("deleted_at") == nil else { throw APIError.gone("deleted", "workspace \(id) is deleted") }
            if let user = try await db.first(
                "SELECT id FROM sessions WHERE workspace_id = ? AND status <> 'terminated' LIMIT 1", [.text(id)])
            {
                throw APIError.conflict(
                    "in_use", "workspace \(id) is used by session \(user.string("id") ?? "?"); terminate it first")
            }
            try await db.execute(
                "UPDATE workspaces SET deleted_at = ?, updated_at = ? WHERE id = ?",
                [.timestamp(now), .timestamp(now), .text(id)])
        }
    }
}
