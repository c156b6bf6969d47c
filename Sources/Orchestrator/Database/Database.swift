import Core

public enum SQLDialect: String, Sendable { case sqlite, postgres }

/// Which rows a store call may see (data-model.md §2.4).
public enum TenantScope: Sendable, Equatable, Hashable {
    /// Admin calls and background jobs: every tenant.
    case system
    /// Single-tenant mode: rows whose `tenant_id` is NULL.
    case single
    /// Multi-tenant mode: one tenant's rows.
    case tenant(String)

    /// The value written into `tenant_id` for rows created in this scope.
    public var tenantID: String? {
        if case .tenant(let id) = self { return id }
        return nil
    }
}

/// Runs statements. SQL is written with `?` placeholders; the PostgreSQL engine renumbers them.
public protocol SQLExecutor: Sendable {
    var dialect: SQLDialect { get }
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

extension SQLExecutor {
    public func execute(_ sql: String, _ binds: [SQLValue] = []) async throws {
        _ = try await query(sql, binds)
    }

    public func first(_ sql: String, _ binds: [SQLValue] = []) async throws -> SQLRow? {
        try await query(sql, binds).first
    }
}

/// A store engine: scoped connections for reads and for write transactions. Every multi-row
/// state change goes through `transaction`, so a crash between two writes leaves nothing half-done.
public protocol Database: Sendable {
    var dialect: SQLDialect { get }
    func read<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T
    func transaction<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T
    /// Writes whose statements each stand alone (usually one statement): no BEGIN/COMMIT, so on
    /// PostgreSQL each statement is one round trip. Never for changes that must land together.
    func autocommit<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T
    /// Runs DDL outside tenant scoping (migrations).
    func migrate<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    func close() async
}
