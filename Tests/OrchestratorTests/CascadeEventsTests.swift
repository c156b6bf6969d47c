import Core
import Foundation
import Testing

@testable import Orchestrator

/// A change that takes other resources with it says so (api.md §14.1): a session's suspend stops
/// its streams and closes its tunnels, its terminate also cancels its tasks and pending permission
/// requests, a task's cancel cancels its pending requests, and a runner that drops ends its
/// sessions' streams and tunnels — each with its own event, on both engines.
@Suite struct CascadeEventsTests {
    /// A running task whose run asked a question nobody answered yet, as the runner would have.
    static func pendingPermission(_ store: Store, session: String, task: String) async throws -> String {
        let id = ID.make(.permission)
        let run = ID.make(.taskRun)
        try await store.database.transaction(.system) { db in
            try await db.execute("UPDATE tasks SET status = 'running' WHERE id = ?", [.text(task)])
            try await db.execute(
                "INSERT INTO task_runs (id, task_id, attempt, status) VALUES (?, ?, 1, 'running')", [.text(run), .text(task)])
            try await db.execute(
                "INSERT INTO permission_requests (id, original_request_id, session_id, task_id, run_id, tool, action) "
                    + "VALUES (?, 'req-1', ?, ?, ?, 'Bash', 'ls')",
                [.text(id), .text(session), .text(task), .text(run)])
        }
        return id
    }

    /// Events until `last` arrives (or 10 s pass), as `type resourceID`.
    static func events(_ stream: AsyncStream<EventBus.Delivery>, until last: String) async -> [String] {
        let collected = Task {
            var seen: [String] = []
            for await delivery in stream {
                guard case .event(let event) = delivery else { continue }
                seen.append("\(event.type) \(event.resourceID)")
                if seen.last == last { break }
            }
            return seen
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(10))
            collected.cancel()
        }
        let seen = await collected.value
        timeout.cancel()
        return seen
    }

    struct Fixture {
        var session: SessionRecord
        var stream: String
        var tunnel: String
        var task: String
        var permission: String
    }

    static func fixture(_ store: Store) async throws -> Fixture {
        let session = try await StreamServiceTests.session(store, active: true)
        let stream = try await StreamServiceTests.service(store).create(
            CreateStreamRequest(), sessionID: session.id, createdBy: nil, scope: .single
        ).record.id
        let tunnel = try await TunnelServiceTests.service(store).create(
            TunnelServiceTests.request(3000), sessionID: session.id, scope: .single
        ).record.id
        let task = try await TaskService(store: store).create(
            CreateTaskRequest(sessionID: session.id, prompt: "echo hi"), scope: .single
        ).id
        let permission = try await pendingPermission(store, session: session.id, task: task)
        return Fixture(session: session, stream: stream, tunnel: tunnel, task: task, permission: permission)
    }

    @Test(arguments: Engine.allCases)
    func terminateEmitsEveryResourceItEnded(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let fixture = try await Self.fixture(store)
            let subscription = store.events.subscribe(.init(scope: .system))
            _ = try await SessionService(store: store).terminate(fixture.session.id, scope: .single)
            let seen = await Self.events(subscription, until: "permission.canceled \(fixture.permission)")
            #expect(
                seen == [
                    "session.terminated \(fixture.session.id)", "stream.stopped \(fixture.stream)",
                    "tunnel.closed \(fixture.tunnel)", "task.canceled \(fixture.task)",
                    "permission.canceled \(fixture.permission)",
                ])
            let permission = try #require(try await store.permission(fixture.permission, scope: .single))
            #expect(permission.status == "canceled")
        }
    }

    @Test(arguments: Engine.allCases)
    func suspendEndsStreamsAndTunnelsButKeepsTasksAndQuestions(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let fixture = try await Self.fixture(store)
            let subscription = store.events.subscribe(.init(scope: .system))
            _ = try await SessionService(store: store).suspend(fixture.session.id, scope: .single)
            let seen = await Self.events(subscription, until: "tunnel.closed \(fixture.tunnel)")
            #expect(
                seen == [
                    "session.suspended \(fixture.session.id)", "stream.stopped \(fixture.stream)",
                    "tunnel.closed \(fixture.tunnel)",
                ])
            // The question waits for its answer across the suspend (orchestration.md §8).
            #expect(try await store.permission(fixture.permission, scope: .single)?.status == "pending")
        }
    }

    @Test(arguments: Engine.allCases)
    func taskCancelCancelsItsPendingQuestions(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let fixture = try await Self.fixture(store)
            let subscription = store.events.subscribe(.init(scope: .system))
            _ = try await TaskService(store: store).cancel(fixture.task, scope: .single)
            let seen = await Self.events(subscription, until: "permission.canceled \(fixture.permission)")
            #expect(seen == ["task.canceled \(fixture.task)", "permission.canceled \(fixture.permission)"])
        }
    }

    @Test(arguments: Engine.allCases)
    func aDroppedRunnerEndsItsSessionsStreamsAndTunnels(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let fixture = try await Self.fixture(store)
            let runner = ID.make(.runner)
            try await store.database.transaction(.system) { db in
                try await db.execute("INSERT INTO runners (id, name, hostname, status) VALUES (?, 'r', 'h', 'busy')", [.text(runner)])
                try await db.execute("UPDATE sessions SET runner_id = ? WHERE id = ?", [.text(runner), .text(fixture.session.id)])
            }
            let subscription = store.events.subscribe(.init(scope: .system))
            _ = try await store.runnerDisconnected(runner)
            let seen = await Self.events(subscription, until: "tunnel.closed \(fixture.tunnel)")
            #expect(seen.contains("session.suspended \(fixture.session.id)"))
            #expect(seen.suffix(2) == ["stream.stopped \(fixture.stream)", "tunnel.closed \(fixture.tunnel)"])
        }
    }
}
