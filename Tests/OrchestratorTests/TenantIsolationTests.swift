import Core
import Testing

@testable import Orchestrator

/// One suite, both engines (data-model.md §2.4): a tenant never sees another tenant's rows.
@Suite struct TenantIsolationTests {
    @Test(arguments: Engine.allCases)
    func tenantsSeeOnlyTheirOwnRows(_ engine: Engine) async throws {
        try await TestDatabases.with(engine, multiTenant: true) { store in
            let sessions = SessionService(store: store)
            let tasks = TaskService(store: store)
            let a = TenantScope.tenant("tenant-a")
            let b = TenantScope.tenant("tenant-b")
            let sessionA = try await sessions.create(CreateSessionRequest(agent: "command", name: "a"), scope: a)
            let taskA = try await tasks.create(CreateTaskRequest(sessionID: sessionA.id, prompt: "x"), scope: a)
            _ = try await sessions.create(CreateSessionRequest(agent: "command", name: "b"), scope: b)

            #expect(try await store.sessions(SessionFilter(), page: PageRequest(), scope: a).items.map(\.name) == ["a"])
            #expect(try await store.sessions(SessionFilter(), page: PageRequest(), scope: b).items.map(\.name) == ["b"])
            #expect(try await store.sessions(SessionFilter(), page: PageRequest(), scope: .system).totalCount == 2)
            #expect(try await store.session(sessionA.id, scope: b) == nil)
            #expect(try await store.task(taskA.id, scope: b) == nil)
            #expect(try await store.workspace(sessionA.workspaceID, scope: b) == nil)
            await #expect(throws: APIError.notFound("session", sessionA.id)) {
                try await tasks.create(CreateTaskRequest(sessionID: sessionA.id, prompt: "steal"), scope: b)
            }
            await #expect(throws: APIError.notFound("session", sessionA.id)) { try await sessions.terminate(sessionA.id, scope: b) }
            var reuse = CreateSessionRequest(agent: "command")
            reuse.workspaceID = sessionA.workspaceID
            await #expect(throws: APIError.self) { try await sessions.create(reuse, scope: b) }
            // Built-in profiles are shared by every tenant.
            var withProfile = CreateSessionRequest(agent: "command")
            withProfile.profileID = "prof_builtin_dev-small"
            #expect(try await sessions.create(withProfile, scope: b).profileID == "prof_builtin_dev-small")
            #expect(taskA.tenantID == "tenant-a")
        }
    }

    @Test func rowLevelSecurityHidesRowsEvenWithoutStorePredicates() async throws {
        try await TestDatabases.with(.postgres, multiTenant: true) { store in
            _ = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .tenant("a"))
            // A raw statement without any tenant predicate: RLS alone must filter it.
            let seenByB = try await store.database.read(.tenant("b")) {
                try await $0.first("SELECT COUNT(*) AS n FROM sessions")?.int("n")
            }
            let seenByA = try await store.database.read(.tenant("a")) {
                try await $0.first("SELECT COUNT(*) AS n FROM sessions")?.int("n")
            }
            #expect(seenByB == 0)
            #expect(seenByA == 1)
            await #expect(throws: (any Error).self) {
                try await store.database.transaction(.tenant("b")) {
                    try await $0.execute("UPDATE sessions SET tenant_id = 'b'")
                    let n = try await $0.first("SELECT COUNT(*) AS n FROM sessions WHERE tenant_id = 'b'")?.int("n")
                    if n == 0 { throw APIError.internalError }
                }
            }
        }
    }

    /// The PostgreSQL engine skips set_config when a pooled connection already holds the scope. One
    /// connection, so every lease reuses it: a scope must never leak into a lease of another scope,
    /// also not after a transaction that changed the scope and then rolled back (which restores
    /// the connection's previous settings).
    @Test func scopeSettingsFollowEachLeaseOnOneConnection() async throws {
        try await TestDatabases.with(.postgres, multiTenant: true, maxConnections: 1) { store in
            _ = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .tenant("a"))
            let count: @Sendable (TenantScope) async throws -> Int? = { scope in
                try await store.database.read(scope) { try await $0.first("SELECT COUNT(*) AS n FROM sessions")?.int("n") }
            }
            #expect(try await count(.tenant("a")) == 1)
            #expect(try await count(.tenant("b")) == 0)
            #expect(try await count(.tenant("a")) == 1)
            // Scope b set inside a transaction that rolls back: the connection is back on a.
            await #expect(throws: APIError.self) {
                try await store.database.transaction(.tenant("b")) { _ in throw APIError.internalError }
            }
            #expect(try await count(.tenant("b")) == 0)
            #expect(try await count(.system) == 1)
            let written = try await store.database.autocommit(.tenant("b")) {
                try await $0.query("UPDATE sessions SET name = 'stolen' RETURNING id", []).count
            }
            #expect(written == 0)
            #expect(try await count(.tenant("a")) == 1)
        }
    }
}
