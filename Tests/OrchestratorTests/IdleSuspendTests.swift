import Core
import Foundation
import Synchronization
import Testing

@testable import Orchestrator

/// Idle suspend (orchestration.md §8): only `on_demand` sessions with a timeout, nothing queued or
/// running, no pending question and no live tunnel connection or viewer, idle past their timeout;
/// the suspend re-checks that nothing happened since they were found idle.
@Suite struct IdleSuspendTests {
    /// Says "live" for the sessions it holds.
    final class Probe: SessionActivityProbe {
        let live = Mutex<Set<String>>([])
        func hasLiveActivity(sessionID: String) async -> Bool { live.withLock { $0.contains(sessionID) } }
    }

    static func activeSession(
        _ store: Store, mode: String = "on_demand", idleTimeout: Int = 600
    ) async throws -> String {
        var request = CreateSessionRequest(agent: "command")
        request.lifecycleMode = mode
        request.idleTimeoutSeconds = idleTimeout
        if mode == "scheduled" { request.scheduleCron = "0 9 * * *" }
        let session = try await SessionService(store: store).create(request, scope: .single)
        try await store.database.transaction(.system) {
            try await $0.execute(
                "UPDATE sessions SET status = 'active', last_activity_at = ? WHERE id = ?",
                [.timestamp(store.clock.now()), .text(session.id)])
        }
        return session.id
    }

    @Test(arguments: Engine.allCases)
    func onlyQuietOnDemandSessionsPastTheirTimeoutSuspend(_ engine: Engine) async throws {
        let clock = AdjustableClock()
        try await TestDatabases.with(engine, clock: clock) { store in
            let hub = RunnerHub(
                store: store, tokens: RunnerTokenService(store: store, multiTenant: false), provider: nil, hub: LogHub(),
                settings: RunnerHub.Settings(), logger: TestDatabases.logger)
            let probe = Probe()
            await hub.setActivityProbe(probe)
            let idle = try await Self.activeSession(store)
            let alwaysOn = try await Self.activeSession(store, mode: "always_on")
            let scheduled = try await Self.activeSession(store, mode: "scheduled")
            let never = try await Self.activeSession(store, idleTimeout: 0)
            let queued = try await Self.activeSession(store)
            _ = try await TaskService(store: store).create(CreateTaskRequest(sessionID: queued, prompt: "true"), scope: .single)
            let asking = try await Self.activeSession(store)
            let askingTask = try await TaskService(store: store).create(
                CreateTaskRequest(sessionID: asking, prompt: "true"), scope: .single
            ).id
            _ = try await CascadeEventsTests.pendingPermission(store, session: asking, task: askingTask)
            let watched = try await Self.activeSession(store)
            probe.live.withLock { _ = $0.insert(watched) }
            let young = try await Self.activeSession(store, idleTimeout: 3600)
            clock.advance(seconds: 601)

            // Before the timeout nothing moves; after it, only the quiet on_demand session.
            try await hub.suspendIdleSessions()
            func status(_ id: String) async throws -> (String, String?) {
                let session = try #require(try await store.session(id, scope: .single))
                return (session.status, session.suspendReason)
            }
            #expect(try await status(idle) == ("suspended", "idle_timeout"))
            for busy in [alwaysOn, scheduled, never, queued, asking, watched, young] {
                #expect(try await status(busy).0 == "active", "\(busy)")
            }
            // Live activity counts as activity: the watched session's clock restarted.
            let watchedAfter = try #require(try await store.session(watched, scope: .single))
            #expect(watchedAfter.lastActivityAt == clock.now())
            probe.live.withLock { $0.removeAll() }
            clock.advance(seconds: 601)
            try await hub.suspendIdleSessions()
            #expect(try await status(watched) == ("suspended", "idle_timeout"))
        }
    }

    @Test(arguments: Engine.allCases)
    func activityBetweenTheCheckAndTheSuspendWins(_ engine: Engine) async throws {
        let clock = AdjustableClock()
        try await TestDatabases.with(engine, clock: clock) { store in
            let id = try await Self.activeSession(store, idleTimeout: 60)
            clock.advance(seconds: 61)
            let found = try #require(try await store.idleSessions().first { $0.id == id })
            clock.advance(seconds: 1)
            try await store.touchSession(id)  // e.g. a log line arrived meanwhile
            #expect(try await store.suspendIfIdle(id, lastActivity: found.lastActivityAt) == nil)
            #expect(try await store.session(id, scope: .single)?.status == "active")
            // The touch restarted its clock: it is not idle any more.
            let stillIdle = try await store.idleSessions().map(\.id)
            #expect(!stillIdle.contains(id))
        }
    }
}
