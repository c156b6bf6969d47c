import Core
import Testing

@testable import Orchestrator

@Suite struct TaskStoreTests {
    @Test(arguments: Engine.allCases)
    func createValidatesAndParksWithoutARunner(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
            var service = TaskService(store: store)
            service.defaultTimeoutSeconds = 1234
            var request = CreateTaskRequest(prompt: "echo hi")
            request.timeoutSeconds = -5
            request.maxRetries = -1
            let task = try await service.create(request, pathSessionID: session.id, scope: .single)
            #expect(task.status == "pending")
            #expect(task.timeoutSeconds == 1234)
            #expect(task.maxRetries == 0)
            #expect(task.dispatchParkedReason != nil)

            await #expect(throws: APIError.required("session_id")) {
                try await service.create(CreateTaskRequest(prompt: "x"), scope: .single)
            }
            await #expect(throws: APIError.required("prompt")) {
                try await service.create(CreateTaskRequest(sessionID: session.id), scope: .single)
            }
            var mismatched = CreateTaskRequest(sessionID: ID.make(.session), prompt: "x")
            await #expect(throws: APIError.self) {
                try await service.create(mismatched, pathSessionID: session.id, scope: .single)
            }
            mismatched.sessionID = ID.make(.session)
            await #expect(throws: APIError.notFound("session", mismatched.sessionID!)) {
                try await service.create(mismatched, scope: .single)
            }
            let tooBig = CreateTaskRequest(sessionID: session.id, prompt: String(repeating: "x", count: (1 << 20) + 1))
            await #expect(throws: APIError.self) { try await service.create(tooBig, scope: .single) }
        }
    }

    @Test(arguments: Engine.allCases)
    func continueFromDerivesTheSessionAndMustMatch(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let sessions = SessionService(store: store)
            let service = TaskService(store: store)
            let a = try await sessions.create(CreateSessionRequest(agent: "command"), scope: .single)
            let b = try await sessions.create(CreateSessionRequest(agent: "command"), scope: .single)
            let first = try await service.create(CreateTaskRequest(sessionID: a.id, prompt: "one"), scope: .single)
            var follow = CreateTaskRequest(prompt: "two")
            follow.continueFrom = first.id
            let second = try await service.create(follow, scope: .single)
            #expect(second.sessionID == a.id)
            #expect(second.continueFrom == first.id)
            follow.sessionID = b.id
            await #expect(throws: APIError.self) { try await service.create(follow, scope: .single) }
        }
    }

    @Test(arguments: Engine.allCases)
    func terminatedSessionsRefuseTasksAndCancelQueuedOnes(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let sessions = SessionService(store: store)
            let service = TaskService(store: store)
            let session = try await sessions.create(CreateSessionRequest(agent: "command"), scope: .single)
            let queued = try await service.create(CreateTaskRequest(sessionID: session.id, prompt: "x"), scope: .single)
            _ = try await sessions.terminate(session.id, scope: .single)
            #expect(try await service.get(queued.id, scope: .single).status == "canceled")
            do {
                _ = try await service.create(CreateTaskRequest(sessionID: session.id, prompt: "y"), scope: .single)
                Issue.record("expected invalid_state")
            } catch let error as APIError {
                #expect(error.code == "invalid_state")
                #expect(error.status == 409)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func cancelAndRetryFollowTheStateMachine(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
            let service = TaskService(store: store)
            var request = CreateTaskRequest(sessionID: session.id, prompt: "false")
            request.maxRetries = 1
            let task = try await service.create(request, scope: .single)
            await #expect(throws: APIError.self) { try await service.retry(task.id, force: false, scope: .single) }
            // A failed first run, as the runner would report it.
            try await store.database.transaction(.single) { db in
                try await db.execute("UPDATE tasks SET status = 'failed' WHERE id = ?", [.text(task.id)])
                try await db.execute(
                    "INSERT INTO task_runs (id, task_id, attempt, status, queued_at, updated_at) VALUES (?, ?, 1, 'failed', ?, ?)",
                    [.text(ID.make(.taskRun)), .text(task.id), .timestamp(store.clock.now()), .timestamp(store.clock.now())])
            }
            let retried = try await service.retry(task.id, force: false, scope: .single)
            #expect(retried.status == "running")
            #expect(retried.retryCount == 1)
            let runs = try await store.runs(taskID: task.id, statuses: [], page: PageRequest(), scope: .single)
            #expect(runs.items.map(\.attempt) == [1, 2])
            #expect(runs.items.map(\.status) == ["failed", "pending"])

            try await store.database.transaction(.single) { db in
                try await db.execute("UPDATE tasks SET status = 'failed' WHERE id = ?", [.text(task.id)])
                try await db.execute("UPDATE task_runs SET status = 'failed' WHERE task_id = ?", [.text(task.id)])
            }
            do {
                _ = try await service.retry(task.id, force: false, scope: .single)
                Issue.record("expected max_retries_exceeded")
            } catch let error as APIError {
                #expect(error.code == "max_retries_exceeded")
            }
            #expect(try await service.retry(task.id, force: true, scope: .single).retryCount == 2)

            let canceled = try await service.cancel(task.id, scope: .single)
            #expect(canceled.status == "canceled")
            let after = try await store.runs(taskID: task.id, statuses: ["canceled"], page: PageRequest(), scope: .single)
            #expect(after.items.count == 1)
            await #expect(throws: APIError.self) { try await service.cancel(task.id, scope: .single) }
        }
    }

    @Test(arguments: Engine.allCases)
    func concurrentCreatesAllLand(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
            let service = TaskService(store: store)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        _ = try await service.create(CreateTaskRequest(sessionID: session.id, prompt: "task \(i)"), scope: .single)
                    }
                }
                try await group.waitForAll()
            }
            var filter = TaskFilter()
            filter.sessionID = session.id
            #expect(try await store.tasks(filter, page: PageRequest(limit: 5), scope: .single).totalCount == 40)
        }
    }

    @Test(arguments: Engine.allCases)
    func logsOrderByAttemptThenSequenceWithResumeRules(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
            let task = try await TaskService(store: store).create(CreateTaskRequest(sessionID: session.id, prompt: "x"), scope: .single)
            let runner = "run_AAAAAAAA00000000"
            let run1 = ID.make(.taskRun)
            let run2 = ID.make(.taskRun)
            try await store.database.transaction(.single) { db in
                let now = store.clock.now()
                for (run, attempt) in [(run1, 1), (run2, 2)] {
                    try await db.execute(
                        "INSERT INTO task_runs (id, task_id, attempt, status, queued_at, updated_at) VALUES (?, ?, ?, 'completed', ?, ?)",
                        [.text(run), .text(task.id), .int(attempt), .timestamp(now), .timestamp(now)])
                    for seq in 1...5 {
                        try await db.execute(
                            "INSERT INTO logs (id, session_id, task_id, run_id, runner_id, stream, level, content, sequence, created_at) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [.text(ID.make(.log)), .text(session.id), .text(task.id), .text(run), .text(runner),
                             .text(seq == 3 ? "stderr" : "stdout"), .text(seq == 3 ? "error" : "info"),
                             .text("r\(attempt) line \(seq)"), .int(seq), .timestamp(now)])
                    }
                }
            }
            var query = LogQuery()
            let all = try await store.logs(taskID: task.id, query: query, scope: .single)
            #expect(all.items.map(\.content).first == "r1 line 1")
            #expect(all.items.map(\.content).last == "r2 line 5")
            #expect(all.totalCount == 10)

            query.limit = 4
            var pages: [String] = []
            var cursor: (Int, Int64)?
            repeat {
                query.cursor = cursor
                let page = try await store.logs(taskID: task.id, query: query, scope: .single)
                pages += page.items.map(\.content)
                cursor = page.hasMore ? page.items.last.map { ($0.attempt ?? 0, $0.sequence) } : nil
            } while cursor != nil
            #expect(pages == all.items.map(\.content))

            query = LogQuery()
            query.afterSequence = 3
            #expect(try await store.logs(taskID: task.id, query: query, scope: .single).items.map(\.content) == ["r2 line 4", "r2 line 5"])
            query.runID = run1
            #expect(try await store.logs(taskID: task.id, query: query, scope: .single).items.count == 7)

            query = LogQuery()
            query.tail = 3
            #expect(try await store.logs(taskID: task.id, query: query, scope: .single).items.map(\.content) == ["r2 line 3", "r2 line 4", "r2 line 5"])

            query = LogQuery()
            query.streams = ["stderr"]
            query.levels = ["error"]
            #expect(try await store.logs(taskID: task.id, query: query, scope: .single).items.count == 2)
        }
    }
}
