import Core
import Foundation
import Synchronization
import Testing

@testable import Gateway
@testable import Orchestrator

/// A follow stream of a task that ended while its lines were still uploading ends as soon as the
/// run's last line has been written, not at the next completion tick (bench/agents measured every
/// follow of a 100,000-line burst rounded up to the next whole second).
@Suite struct LogFollowCompletionTests {
    final class RecordingSink: FollowSink, Sendable {
        let state = Mutex<(lines: [Int64], ended: Bool)>(([], false))
        var lines: [Int64] { state.withLock { $0.lines } }
        var ended: Bool { state.withLock { $0.ended } }
        func begin() async throws {}
        func logs(_ records: [LogRecord]) async throws { state.withLock { $0.lines += records.map(\.sequence) } }
        func status(_ change: TaskStatusChange) async throws {}
        func heartbeat() async throws {}
        func end(task: TaskRecord, run: TaskRunRecord?) async throws { state.withLock { $0.ended = true } }
    }

    @Test func endsWhenTheLastAnnouncedLineArrivesAfterTheTaskEnded() async throws {
        let harness = try await GatewayHarness.make()
        defer { Task { await harness.close() } }
        let services = harness.services
        let store = services.store
        let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
        let task = try await TaskService(store: store).create(CreateTaskRequest(sessionID: session.id, prompt: "x"), scope: .single)
        let runID = ID.make(.taskRun)
        // The run ended and announced 3 lines; none is stored yet.
        try await store.database.transaction(.single) { db in
            let now = store.clock.now()
            try await db.execute(
                "INSERT INTO task_runs (id, task_id, attempt, status, last_log_sequence, queued_at, ended_at, updated_at) VALUES (?, ?, 1, 'completed', 3, ?, ?, ?)",
                [.text(runID), .text(task.id), .timestamp(now), .timestamp(now), .timestamp(now)])
            try await db.execute("UPDATE tasks SET status = 'completed' WHERE id = ?", [.text(task.id)])
        }
        // A tick far beyond the test's bound: only the last line can end the stream in time.
        var follow = LogFollow(
            services: services, taskID: task.id, scope: .single, query: LogQuery(), start: .init(attempt: 1, sequence: 0))
        follow.tickInterval = .seconds(600)
        let sink = RecordingSink()
        let following = Task {
            var writer = sink
            try await follow.stream(into: &writer)
        }
        let context = LogRunContext(
            sessionID: session.id, taskID: task.id, runID: runID, runnerID: "run_AAAAAAAA00000000", tenantID: nil, attempt: 1)
        try await Task.sleep(for: .milliseconds(100))  // the follow subscribed and found the task ended, lines missing
        for batch: ClosedRange<Int64> in [1...2, 3...3] {
            let result = try await store.ingestLogs(
                batch.map { IncomingLogLine(sequence: $0, stream: "stdout", level: "info", content: "line \($0)") }, context: context)
            services.hub.publish(taskID: task.id, .logs(result.stored))
        }
        let started = ContinuousClock.now
        // The follow ends by itself, or the watchdog cancels it after 10 s.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            following.cancel()
        }
        let outcome = await following.result
        watchdog.cancel()
        #expect((try? outcome.get()) != nil, "the follow did not end after the run's last line (waited \(ContinuousClock.now - started))")
        #expect(sink.ended)
        #expect(sink.lines == [1, 2, 3])
    }
}
