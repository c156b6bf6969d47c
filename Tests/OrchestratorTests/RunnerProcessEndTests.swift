import Core
import Fabric
import Foundation
import Testing

@testable import Orchestrator

/// The disconnect grace (15 s by default) keeps a runner's work while its connection may come
/// back; a runner whose process this server saw end cannot come back, so its runs fail and its
/// session suspends without the wait, in whichever order the stream's end and the exit arrive.
@Suite struct RunnerProcessEndTests {
    typealias Link = RunnerReconcileTests.RecordingLink

    /// A session on the hub's runner with a running task; returns the session and the link.
    static func runningTask(_ registered: RegisteredRunnerHub, _ store: Store) async throws -> (SessionRecord, Link) {
        let (hub, runnerID) = (registered.hub, registered.runnerID)
        let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
        var tasks = TaskService(store: store)
        tasks.hooks = hub
        _ = try await tasks.create(CreateTaskRequest(sessionID: session.id, prompt: "sleep 30"), scope: .single)
        let link = Link()
        await hub.connected(runnerID: runnerID, link: link)
        let execute = try #require(link.executed.first, "no ExecuteTask sent: \(link.sent.withLock { $0 })")
        for message in RunnerReconcileTests.accepted(execute) { await hub.handle(runnerID: runnerID, message: message) }
        await hub.handle(runnerID: runnerID, message: RunnerReconcileTests.heartbeat(listing: [execute]))
        #expect(try await store.session(session.id, scope: .system)?.status == "active")
        return (session, link)
    }

    static func exit(_ registered: RegisteredRunnerHub, _ session: SessionRecord) -> RunnerProcessExit {
        RunnerProcessExit(runnerID: registered.runnerID, sessionID: session.id, status: "signal 9", logPath: "/dev/null")
    }

    @Test func aStreamEndThenTheProcessExitEndsTheWorkAtOnce() async throws {
        try await TestDatabases.with(.sqlite) { store in
            let registered = try await RegisteredRunnerHub(store)
            let (session, link) = try await Self.runningTask(registered, store)

            await registered.hub.disconnected(runnerID: registered.runnerID, link: link)
            // Within the grace: the connection may come back.
            #expect(try await store.session(session.id, scope: .system)?.status == "active")

            await registered.hub.runnerProcessExited(Self.exit(registered, session))
            let after = try #require(try await store.session(session.id, scope: .system))
            #expect(after.status == "suspended")
            #expect(after.suspendReason == "runner_disconnected")
            let runner = try #require(try await store.runnerRow(registered.runnerID))
            #expect(runner.string("status") == "offline")
        }
    }

    @Test func aProcessExitThenTheStreamEndSkipsTheGrace() async throws {
        try await TestDatabases.with(.sqlite) { store in
            var settings = RunnerHub.Settings()
            settings.enforcerInterval = .milliseconds(50)
            let registered = try await RegisteredRunnerHub(store, settings: settings)
            let (session, link) = try await Self.runningTask(registered, store)
            // The enforcers (which apply the grace) start once the task runs: before, their pass for
            // sessions waiting for a runner could act on this one ahead of the runner's connect.
            await registered.hub.start()
            defer { Task { await registered.hub.stop() } }

            // The exit can be seen while the stream is still up: nothing happens until it ends.
            await registered.hub.runnerProcessExited(Self.exit(registered, session))
            #expect(try await store.session(session.id, scope: .system)?.status == "active")

            await registered.hub.disconnected(runnerID: registered.runnerID, link: link)
            let started = ContinuousClock.now
            var status = "active"
            while ContinuousClock.now - started < .seconds(5) {
                status = try await store.session(session.id, scope: .system)?.status ?? "gone"
                if status == "suspended" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            // The grace is 15 s: suspended within 5 s means it was skipped.
            #expect(status == "suspended", "after \(ContinuousClock.now - started)")
        }
    }
}
