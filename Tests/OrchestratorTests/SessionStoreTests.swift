import Core
import Testing

@testable import Orchestrator

@Suite struct SessionStoreTests {
    @Test(arguments: Engine.allCases)
    func createMakesAWorkspaceAndDefaults(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = SessionService(store: store)
            var request = CreateSessionRequest(agent: "command", name: "demo")
            request.labels = ["team": "core"]
            let session = try await service.create(request, scope: .single)
            #expect(session.status == "pending")
            #expect(session.networkPolicy == "none")
            #expect(session.idleTimeoutSeconds == 1800)
            #expect(session.lifecycleMode == "on_demand")
            #expect(session.labels == ["team": "core"])
            let workspace = try await store.workspace(session.workspaceID, scope: .single)
            #expect(workspace?.storageType == "volume")
            #expect(try await service.get(session.id, scope: .single) == session)
        }
    }

    @Test(arguments: Engine.allCases)
    func aFailedCreateLeavesNoHalfCreatedRows(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = SessionService(store: store)
            var request = CreateSessionRequest(agent: "claude", name: "x")
            // Passes field validation, fails inside the transaction after the workspace insert.
            request.agentConfigID = ID.make(.agentConfig)
            await #expect(throws: APIError.self) { try await service.create(request, scope: .single) }
            let page = try await store.workspaces(labels: [:], page: PageRequest(), scope: .single)
            #expect(page.items.isEmpty)
            #expect(try await store.sessions(SessionFilter(), page: PageRequest(), scope: .single).totalCount == 0)
        }
    }

    @Test(arguments: Engine.allCases)
    func validationErrorsNameTheField(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = SessionService(store: store)
            func expectError(_ code: String, field: String?, _ configure: (inout CreateSessionRequest) -> Void) async {
                var request = CreateSessionRequest(agent: "command")
                configure(&request)
                do {
                    _ = try await service.create(request, scope: .single)
                    Issue.record("expected \(code)")
                } catch let error as APIError {
                    #expect(error.code == code)
                    #expect(error.details?["field"] == field)
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
            await expectError("validation_error", field: "agent") { $0.agent = nil }
            await expectError("validation_error", field: "idle_timeout_seconds") { $0.idleTimeoutSeconds = 30 }
            await expectError("validation_error", field: "schedule_cron") { $0.lifecycleMode = "scheduled" }
            await expectError("validation_error", field: "schedule_cron") {
                $0.lifecycleMode = "scheduled"
                $0.scheduleCron = "61 * * * *"
            }
            await expectError("validation_error", field: "schedule_timezone") { $0.scheduleTimezone = "Mars/Olympus" }
            await expectError("validation_error", field: "lifecycle_mode") { $0.lifecycleMode = "sometimes" }
            await expectError("network_policy_unsupported", field: nil) { $0.networkPolicy = "air_gapped" }
            await expectError("validation_error", field: "api_key") {
                $0.apiKey = "sk-1"
                $0.agentConfigID = ID.make(.agentConfig)
            }
            await expectError("validation_error", field: "workspace_id") { $0.workspaceID = ID.make(.workspace) }
            await expectError("validation_error", field: "labels") { $0.labels = ["bad key": "v"] }
        }
    }

    @Test(arguments: Engine.allCases)
    func scheduledSessionsKeepTheirCron(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            var request = CreateSessionRequest(agent: "codex")
            request.lifecycleMode = "scheduled"
            request.scheduleCron = "*/15 9-17 * * MON-FRI"
            request.scheduleTimezone = "Europe/Berlin"
            let session = try await SessionService(store: store).create(request, scope: .single)
            #expect(session.scheduleCron == "*/15 9-17 * * MON-FRI")
            #expect(session.scheduleTimezone == "Europe/Berlin")
        }
    }

    @Test(arguments: Engine.allCases)
    func listFiltersAndPagesNewestFirst(_ engine: Engine) async throws {
        try await TestDatabases.with(engine, clock: SteppingClock()) { store in
            let service = SessionService(store: store)
            var created: [SessionRecord] = []
            for i in 0..<7 {
                var request = CreateSessionRequest(agent: i % 2 == 0 ? "claude" : "codex", name: "s\(i)")
                request.labels = ["parity": i % 2 == 0 ? "even" : "odd", "n": "\(i)"]
                created.append(try await service.create(request, scope: .single))
            }
            _ = try await service.terminate(created[0].id, scope: .single)

            var seen: [String] = []
            var cursor: Cursor?
            repeat {
                let page = try await store.sessions(SessionFilter(), page: PageRequest(limit: 3, cursor: cursor), scope: .single)
                #expect(page.totalCount == 7)
                seen += page.items.map(\.id)
                cursor = try page.nextCursor.map { try Cursor(encoded: $0) }
                #expect(page.hasMore == (page.nextCursor != nil))
            } while cursor != nil
            #expect(seen == created.reversed().map(\.id))

            var filter = SessionFilter()
            filter.agent = "claude"
            filter.statuses = ["pending"]
            let claude = try await store.sessions(filter, page: PageRequest(), scope: .single)
            #expect(claude.items.map(\.name) == ["s6", "s4", "s2"])

            filter = SessionFilter()
            filter.labels = ["parity": "odd", "n": "3"]
            #expect(try await store.sessions(filter, page: PageRequest(), scope: .single).items.map(\.name) == ["s3"])

            filter = SessionFilter()
            filter.statuses = ["terminated", "active"]
            #expect(try await store.sessions(filter, page: PageRequest(), scope: .single).items.map(\.name) == ["s0"])
        }
    }

    @Test(arguments: Engine.allCases)
    func stateMachine(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = SessionService(store: store)
            let session = try await service.create(CreateSessionRequest(agent: "command"), scope: .single)
            await #expect(throws: APIError.invalidState("session \(session.id) is in state \"pending\", expected active")) {
                try await service.suspend(session.id, scope: .single)
            }
            await #expect(throws: APIError.self) { try await service.resume(session.id, apiKey: nil, scope: .single) }
            // Simulate the runner attach that the fabric performs.
            try await store.database.transaction(.single) {
                try await $0.execute("UPDATE sessions SET status = 'active' WHERE id = ?", [.text(session.id)])
            }
            let suspended = try await service.suspend(session.id, scope: .single)
            #expect(suspended.status == "suspended")
            #expect(suspended.suspendReason == "user_request")
            #expect(suspended.suspendedAt != nil)
            let resuming = try await service.resume(session.id, apiKey: nil, scope: .single)
            #expect(resuming.status == "resuming")
            let terminated = try await service.terminate(session.id, scope: .single)
            #expect(terminated.status == "terminated")
            await #expect(throws: APIError.self) { try await service.terminate(session.id, scope: .single) }
            var update = UpdateSessionRequest()
            update.name = "late"
            await #expect(throws: APIError.self) { try await service.update(session.id, update, scope: .single) }
        }
    }

    @Test(arguments: Engine.allCases)
    func byokResumeNeedsTheKeyAfterARestart(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            var request = CreateSessionRequest(agent: "claude")
            request.apiKey = "sk-ant-secret"
            let session = try await SessionService(store: store).create(request, scope: .single)
            #expect(session.isBYOK)
            // A new service instance stands for a restarted server: the key is gone from memory.
            let restarted = SessionService(store: store)
            try await store.database.transaction(.single) {
                try await $0.execute("UPDATE sessions SET status = 'suspended' WHERE id = ?", [.text(session.id)])
            }
            await #expect(throws: APIError.self) { try await restarted.resume(session.id, apiKey: nil, scope: .single) }
            let resumed = try await restarted.resume(session.id, apiKey: "sk-ant-secret", scope: .single)
            #expect(resumed.status == "resuming")
            // The key is never written to the store.
            let leaked = try await store.database.read(.system) { db in
                try await db.query("SELECT * FROM sessions", []).contains { row in
                    row.columns.contains { row.string($0)?.contains("sk-ant-secret") == true }
                }
            }
            #expect(!leaked)
        }
    }

    @Test(arguments: Engine.allCases)
    func patchChangesOnlyGivenFields(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = SessionService(store: store)
            let session = try await service.create(CreateSessionRequest(agent: "command", name: "a"), scope: .single)
            var update = UpdateSessionRequest()
            update.labels = ["x": "y"]
            update.idleTimeoutSeconds = 0
            let updated = try await service.update(session.id, update, scope: .single)
            #expect(updated.name == "a")
            #expect(updated.labels == ["x": "y"])
            #expect(updated.idleTimeoutSeconds == 0)
            update = UpdateSessionRequest()
            update.lifecycleMode = "scheduled"
            await #expect(throws: APIError.self) { try await service.update(session.id, update, scope: .single) }
            #expect(try await service.get(session.id, scope: .single).lifecycleMode == "on_demand")
        }
    }
}

/// Each reading is 1 ms after the last, so ordering by creation time is deterministic.
final class SteppingClock: WallClock, Sendable {
    private let counter = Counter()
    func now() -> Timestamp { Timestamp(milliseconds: 1_750_000_000_000 + counter.next()) }
}

import Synchronization

final class Counter: Sendable {
    private let value = Atomic<Int64>(0)
    func next() -> Int64 { value.wrappingAdd(1, ordering: .relaxed).newValue }
}
