import Core
import Fabric
import Foundation
import Synchronization
import Testing

@testable import Orchestrator

/// Destroying runners from the admin API (api.md §13.2): refused while a session holds the runner,
/// else its process, connection, row and tokens end; on both engines.
@Suite struct RunnerAdminTests {
    final class ClosingLink: RunnerLink {
        let closed = Mutex(false)
        func send(_ command: Marionette_Runner_V1_ServerCommand) -> Bool { true }
        func close() { closed.withLock { $0 = true } }
    }

    final class RecordingProvider: RunnerProvider {
        let name = "recording"
        let destroyed = Mutex<[String]>([])
        func spawn(for session: SessionRecord) async throws -> String { throw ProviderError.spawnFailed("not in this test") }
        func destroy(runnerID: String) async { destroyed.withLock { $0.append(runnerID) } }
    }

    @Test(arguments: Engine.allCases)
    func aRunnerHeldBySessionIsRefusedAFreeOneEnds(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let tokens = RunnerTokenService(store: store, multiTenant: false)
            let provider = RecordingProvider()
            let hub = RunnerHub(store: store, tokens: tokens, provider: provider, hub: LogHub(), settings: .init(), logger: TestDatabases.logger)
            let minted = try await tokens.create(CreateRunnerTokenRequest(poolName: "external"), createdBy: nil)
            let runnerID = try await hub.register(token: minted.rawToken, RegisteredRunnerHub.registration).0
            let link = ClosingLink()
            await hub.connected(runnerID: runnerID, link: link)

            // A session with a task takes the idle runner: it is busy.
            var sessions = SessionService(store: store)
            sessions.hooks = hub
            let session = try await sessions.create(CreateSessionRequest(agent: "command"), scope: .single)
            var tasks = TaskService(store: store)
            tasks.hooks = hub
            _ = try await tasks.create(CreateTaskRequest(sessionID: session.id, prompt: "sleep 5"), scope: .single)
            let admin = RunnerAdminService(store: store, hooks: hub)
            let busy = APIError.invalidState("runner \(runnerID) is busy with session \(session.id); suspend or terminate the session first")
            await #expect(throws: busy) { try await admin.destroy(runnerID) }
            #expect(provider.destroyed.withLock { $0 }.isEmpty && !link.closed.withLock { $0 })
            #expect(try await store.adminRunner(runnerID)?.runner.status == "busy")

            // Once the session ends the runner is free, and destroying it ends everything of it.
            _ = try await sessions.terminate(session.id, scope: .single)
            #expect(try await store.adminRunner(runnerID)?.runner.status == "idle")
            try await admin.destroy(runnerID)
            #expect(provider.destroyed.withLock { $0 } == [runnerID])
            #expect(link.closed.withLock { $0 })
            #expect(try await store.adminRunner(runnerID) == nil)
            #expect(await !hub.isConnected(runnerID))
            let left = try await store.database.read(.system) { db in
                try await db.query("SELECT id FROM runner_tokens WHERE runner_id = ?", [.text(runnerID)])
            }
            #expect(left.isEmpty, "the runner's tokens go with it")
            let audit = try await store.database.read(.system) { db in
                try await db.query("SELECT action FROM action_logs WHERE resource_id = ?", [.text(runnerID)])
            }
            #expect(audit.contains { $0.string("action") == "runner.destroyed" })
            await #expect(throws: APIError.notFound("runner", runnerID)) { try await admin.destroy(runnerID) }
        }
    }

    @Test(arguments: Engine.allCases)
    func aRunnerStartingForAWaitingSessionIsRefused(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
            let runnerID = try await store.createManagedRunner(
                name: "local-1", pool: "local", tenantID: nil, claimSession: session.id, sandboxMode: "none")
            let admin = RunnerAdminService(store: store, hooks: nil)
            await #expect(
                throws: APIError.invalidState("runner \(runnerID) is starting for session \(session.id); suspend or terminate the session first")
            ) { try await admin.destroy(runnerID) }
            #expect(try await store.adminRunner(runnerID)?.providerInstanceID == nil)
            #expect(try await store.adminRunner(runnerID)?.runner.poolName == "local")
        }
    }
}
