import Core
import Testing

@testable import Orchestrator

/// Log ingest (exactly once by (run, sequence)) and the follower's catch-up pages.
@Suite struct LogIngestTests {
    /// A task with two runs (attempts 1 and 2), ready for `ingestLogs`.
    static func twoRuns(_ store: Store) async throws -> (task: String, first: LogRunContext, second: LogRunContext) {
        let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
        let task = try await TaskService(store: store).create(CreateTaskRequest(sessionID: session.id, prompt: "x"), scope: .single)
        let runner = "run_AAAAAAAA00000000"
        let runs = [ID.make(.taskRun), ID.make(.taskRun)]
        try await store.database.transaction(.single) { db in
            let now = store.clock.now()
            for (index, run) in runs.enumerated() {
                try await db.execute(
                    "INSERT INTO task_runs (id, task_id, attempt, status, queued_at, updated_at) VALUES (?, ?, ?, 'running', ?, ?)",
                    [.text(run), .text(task.id), .int(Int64(index + 1)), .timestamp(now), .timestamp(now)])
            }
        }
        func context(_ index: Int) -> LogRunContext {
            LogRunContext(
                sessionID: session.id, taskID: task.id, runID: runs[index], runnerID: runner, tenantID: nil, attempt: index + 1)
        }
        return (task.id, context(0), context(1))
    }

    static func lines(_ range: ClosedRange<Int64>, prefix: String) -> [IncomingLogLine] {
        range.map {
            IncomingLogLine(
                sequence: $0, stream: $0 % 5 == 0 ? "stderr" : "stdout", level: $0 % 5 == 0 ? "error" : "info",
                content: "\(prefix) \($0)")
        }
    }

    @Test(arguments: Engine.allCases)
    func ingestIsExactlyOnceAndAcknowledgesContiguously(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let (_, run, _) = try await Self.twoRuns(store)
            var result = try await store.ingestLogs(Self.lines(1...150, prefix: "a"), context: run)
            #expect(result.ackedSequence == 150)
            #expect(result.stored.count == 150)
            // A resend overlapping the ack: the old part is counted as duplicates, the rest stored.
            result = try await store.ingestLogs(Self.lines(101...200, prefix: "a"), context: run)
            #expect(result.ackedSequence == 200)
            #expect(result.duplicates == 50)
            #expect(result.stored.map(\.sequence) == Array(151...200))
            await #expect(throws: LogIngestError.outOfOrder(expected: 201, got: 205)) {
                try await store.ingestLogs(Self.lines(205...210, prefix: "a"), context: run)
            }
            // A gap covers what the runner lost: one system line at the gap's last sequence.
            result = try await store.ingestLogs(
                Self.lines(206...210, prefix: "a"), gaps: [(201, 205, "runner buffer overflow")], context: run)
            #expect(result.ackedSequence == 210)
            #expect(result.stored.first?.content == "5 log lines lost (runner buffer overflow)")
            #expect(try await store.storedLogSequence(runID: run.runID) == 210)
        }
    }

    /// Every field survives the store: PostgreSQL takes a batch as arrays (`unnest`), SQLite as
    /// rows; content that looks like array or JSON syntax must come back byte for byte. A NUL byte
    /// (binary output) becomes U+FFFD: PostgreSQL refuses NUL in text (the whole batch, again on
    /// every resend) and SQLite cut the line at it.
    @Test(arguments: Engine.allCases)
    func storedLinesKeepEveryField(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let (task, run, _) = try await Self.twoRuns(store)
            let emitted = Timestamp(milliseconds: 1_780_000_000_123)
            let sent = [
                IncomingLogLine(sequence: 1, stream: "stdout", level: "info", content: #"{"a,b"} \ "quoted" NULL"#),
                IncomingLogLine(
                    sequence: 2, stream: "stderr", level: "error", content: "", emittedAt: emitted,
                    metadata: ["tool": "bash", "k,{}": "v\"w"]),
                IncomingLogLine(
                    sequence: 3, stream: "stdout", level: "debug", content: "ünïcode ✓ \u{0}nul\ttab",
                    metadata: ["nul\u{0}key": "nul\u{0}value"]),
            ]
            var expected = sent
            expected[2].content = "ünïcode ✓ \u{FFFD}nul\ttab"
            expected[2].metadata = ["nul\u{FFFD}key": "nul\u{FFFD}value"]
            let result = try await store.ingestLogs(sent, context: run)
            #expect(result.ackedSequence == 3)
            let page = try await store.followLogs(taskID: task, after: (0, 0), limit: 10, scope: .single)
            #expect(page.items.map(\.content) == expected.map(\.content))
            #expect(result.stored.map(\.content) == expected.map(\.content))
            #expect(page.items.map(\.stream) == sent.map(\.stream))
            #expect(page.items.map(\.level) == sent.map(\.level))
            #expect(page.items.map(\.sequence) == [1, 2, 3])
            #expect(page.items.map(\.timestamp) == [nil, emitted, nil])
            #expect(page.items.map(\.metadata) == expected.map(\.metadata))
            #expect(page.items.map(\.id) == result.stored.map(\.id))
            #expect(Set(page.items.map(\.runnerID)) == [run.runnerID])
        }
    }

    @Test(arguments: Engine.allCases)
    func followPagesWalkRunsInAttemptThenSequenceOrder(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let (task, first, second) = try await Self.twoRuns(store)
            _ = try await store.ingestLogs(Self.lines(1...25, prefix: "r1"), context: first)
            _ = try await store.ingestLogs(Self.lines(1...12, prefix: "r2"), context: second)
            let expected = (1...25).map { "r1 \($0)" } + (1...12).map { "r2 \($0)" }

            // Every page size walks the same lines, and hasMore is false only on the last page.
            for limit in [1, 7, 25, 37, 100] {
                var position = (attempt: 0, sequence: Int64(0))
                var seen: [String] = []
                while true {
                    let page = try await store.followLogs(taskID: task, after: position, limit: limit, scope: .single)
                    #expect(page.items.count <= limit)
                    seen += page.items.map(\.content)
                    if let last = page.items.last { position = (last.attempt ?? 0, last.sequence) }
                    if !page.hasMore { break }
                }
                #expect(seen == expected, "limit \(limit)")
            }

            // Resume inside run 1, inside run 2, and after the end.
            var page = try await store.followLogs(taskID: task, after: (1, 23), limit: 4, scope: .single)
            #expect(page.items.map(\.content) == ["r1 24", "r1 25", "r2 1", "r2 2"])
            #expect(page.items.map(\.attempt) == [1, 1, 2, 2])
            #expect(page.hasMore)
            page = try await store.followLogs(taskID: task, after: (2, 10), limit: 4, scope: .single)
            #expect(page.items.map(\.content) == ["r2 11", "r2 12"])
            #expect(!page.hasMore)
            page = try await store.followLogs(taskID: task, after: (2, 12), limit: 4, scope: .single)
            #expect(page.items.isEmpty && !page.hasMore)

            // Filters apply inside each run.
            page = try await store.followLogs(
                taskID: task, after: (0, 0), levels: ["error"], streams: ["stderr"], limit: 100, scope: .single)
            #expect(page.items.map(\.content) == ["r1 5", "r1 10", "r1 15", "r1 20", "r1 25", "r2 5", "r2 10"])

            // Another tenant sees nothing.
            page = try await store.followLogs(taskID: task, after: (0, 0), limit: 100, scope: .tenant("ten_other"))
            #expect(page.items.isEmpty)
        }
    }
}
