import Core
import Fabric
import Foundation
import Testing

@testable import Orchestrator

/// Permission requests through the hub and the store (api.md §6, orchestration.md §8): stored once
/// per agent id, answered once, sent to the connected runner, acknowledged; an unanswered one
/// suspends the session, and its answer resumes it and is replayed on the next attach.
@Suite struct PermissionHubTests {
    typealias Link = RunnerReconcileTests.RecordingLink

    static func request(_ execute: Marionette_Runner_V1_ExecuteTask, id: String, suspendAfter: Int64 = 0)
        -> Marionette_Runner_V1_RunnerMessage
    {
        var request = Marionette_Runner_V1_PermissionRequest()
        request.requestID = id
        request.taskID = execute.taskID
        request.runID = execute.runID
        request.sessionID = execute.sessionID
        request.tool = "Bash"
        request.action = "rm -rf dist"
        request.riskLevel = "critical"
        request.context = #"{"cwd":"/w"}"#
        request.suspendAfterSeconds = suspendAfter
        return RunnerReconcileTests.message(.permissionRequest(request))
    }

    static func approvals(_ link: Link) -> [Marionette_Runner_V1_ApprovePermission] {
        link.sent.withLock { $0.compactMap { if case .approvePermission(let a)? = $0.payload { a } else { nil } } }
    }

    static func eventually(_ what: String, _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what)")
    }

    /// A hub with runner r1 registered (not yet connected) and a session (`request`) with one
    /// task, created through services whose hooks are the hub.
    struct Setup {
        let tokens: RunnerTokenService
        let hub: RunnerHub
        let runnerID: String
        let sessions: SessionService
        let session: SessionRecord

        init(
            _ store: Store, settings: RunnerHub.Settings = .init(), session request: CreateSessionRequest = CreateSessionRequest(agent: "claude"),
            prompt: String = "go"
        ) async throws {
            let registered = try await RegisteredRunnerHub(store, settings: settings)
            (tokens, hub, runnerID) = (registered.tokens, registered.hub, registered.runnerID)
            var sessions = SessionService(store: store)
            sessions.hooks = hub
            self.sessions = sessions
            session = try await sessions.create(request, scope: .single)
            var tasks = TaskService(store: store)
            tasks.hooks = hub
            _ = try await tasks.create(CreateTaskRequest(sessionID: session.id, prompt: prompt), scope: .single)
        }
    }

    @Test(arguments: Engine.allCases) func answeredOnceDeliveredOnceAndTimeoutSuspends(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            var settings = RunnerHub.Settings()
            settings.enforcerInterval = .milliseconds(50)
            settings.permissionSuspendAfterSeconds = 3600
            let setup = try await Setup(store, settings: settings)
            let (hub, runnerID, session) = (setup.hub, setup.runnerID, setup.session)
            var permissions = PermissionService(store: store)
            permissions.hooks = hub

            // The events stream sees the question and the answer (api.md §14.1).
            let permissionEvents = store.events.subscribe(.init(patterns: [try EventPattern(parsing: "permission")], scope: .single))
            let link = Link()
            await hub.connected(runnerID: runnerID, link: link)
            let execute = try #require(link.executed.first)
            for message in RunnerReconcileTests.accepted(execute) { await hub.handle(runnerID: runnerID, message: message) }

            // Stored once, even when the runner sends it again after a reconnect.
            await hub.handle(runnerID: runnerID, message: Self.request(execute, id: "toolu_1"))
            await hub.handle(runnerID: runnerID, message: Self.request(execute, id: "toolu_1"))
            var filter = PermissionFilter()
            filter.sessionID = session.id
            let listed = try await permissions.list(filter, page: PageRequest(), scope: .single)
            #expect(listed.totalCount == 1)
            let record = try #require(listed.items.first)
            #expect(record.status == "pending" && record.tool == "Bash" && record.riskLevel == "critical")
            #expect(record.suspendAfterSeconds == 3600, "0 from the runner takes the server default")
            #expect(record.originalRequestID == "toolu_1" && record.runID == execute.runID)

            // A run that is not this runner's cannot ask.
            var foreign = execute
            foreign.runID = "trun_AAAAAAAA00000000"
            await hub.handle(runnerID: runnerID, message: Self.request(foreign, id: "toolu_x"))
            #expect(try await permissions.list(filter, page: PageRequest(), scope: .single).totalCount == 1)

            // The answer goes to the connected runner at once; a second answer is refused.
            let answered = try await permissions.answer(record.id, approved: false, reason: "no", respondedBy: "key_1", scope: .single)
            #expect(answered.status == "denied" && answered.responseReason == "no" && answered.respondedAt != nil)
            let approve = try #require(Self.approvals(link).first)
            #expect(approve.requestID == "toolu_1" && approve.permissionID == record.id && !approve.approved)
            #expect(approve.reason == "no" && approve.taskID == execute.taskID && approve.action == "rm -rf dist")
            var seen: [(String, String)] = []
            for await delivery in permissionEvents {
                if case .event(let event) = delivery { seen.append((event.type, event.resourceID)) }
                if seen.count == 2 { break }
            }
            #expect(seen.map(\.0) == ["permission.requested", "permission.denied"] && seen.allSatisfy { $0.1 == record.id })
            await #expect(throws: APIError.self) {
                _ = try await permissions.answer(record.id, approved: true, reason: nil, respondedBy: nil, scope: .single)
            }
            #expect(try await store.permission(record.id, scope: .single)?.deliveredAt == nil)
            var ack = Marionette_Runner_V1_PermissionResponseAck()
            ack.requestID = "toolu_1"
            ack.permissionID = record.id
            await hub.handle(runnerID: runnerID, message: RunnerReconcileTests.message(.permissionResponseAck(ack)))
            #expect(try await store.permission(record.id, scope: .single)?.deliveredAt != nil)

            // Unanswered past suspend_after_seconds: the session suspends, the request stays pending.
            await hub.handle(runnerID: runnerID, message: Self.request(execute, id: "toolu_2", suspendAfter: 1))
            await hub.start()
            defer { Task { await hub.stop() } }
            try await Self.eventually("the permission timeout suspend") {
                try await store.session(session.id, scope: .single)?.status == "suspended"
            }
            let suspended = try #require(try await store.session(session.id, scope: .single))
            #expect(suspended.suspendReason == "permission_timeout")
            try await Self.eventually("the runner to be told to detach") {
                link.sent.withLock { $0.contains { if case .detachSession? = $0.payload { true } else { false } } }
            }
            filter.statuses = ["pending"]
            let waiting = try #require(try await permissions.list(filter, page: PageRequest(), scope: .single).items.first)
            #expect(waiting.originalRequestID == "toolu_2")

            // Answering resumes the session (its runner is away meanwhile); the next attach replays
            // the undelivered answer.
            await hub.disconnected(runnerID: runnerID, link: link)
            _ = try await permissions.answer(waiting.id, approved: true, reason: nil, respondedBy: "key_1", scope: .single)
            #expect(try await store.session(session.id, scope: .single)?.status == "resuming")
            #expect(Self.approvals(link).count == 1, "nothing sent to a runner the session left")
            let next = Link()
            await hub.connected(runnerID: runnerID, link: next)
            // The enforcer may activate the session concurrently with the connect: wait for the
            // task to be sent (the attach goes first).
            try await Self.eventually("the interrupted task to run again") { next.executed.first?.taskID == execute.taskID }
            let attaches = next.sent.withLock { $0.compactMap { if case .attachSession(let a)? = $0.payload { a } else { nil } } }
            let attach = try #require(attaches.first)
            #expect(attach.pendingPermissions.map(\.permissionID) == [waiting.id])
            #expect(attach.pendingPermissions.first?.approved == true && attach.pendingPermissions.first?.requestID == "toolu_2")
            #expect(try await store.session(session.id, scope: .single)?.status == "active")
        }
    }
}

/// A session resumed without an answer: the re-run asks again, the interrupted run's request is
/// superseded, and the stale one does not suspend the session again.
@Suite struct PermissionResumeWithoutAnswerTests {
    @Test(arguments: Engine.allCases) func reRunSupersedesTheInterruptedQuestion(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            var settings = RunnerHub.Settings()
            settings.enforcerInterval = .milliseconds(50)
            let setup = try await PermissionHubTests.Setup(store, settings: settings)
            let (hub, runnerID, session, sessions) = (setup.hub, setup.runnerID, setup.session, setup.sessions)
            let link = PermissionHubTests.Link()
            await hub.connected(runnerID: runnerID, link: link)
            let first = try #require(link.executed.first)
            for message in RunnerReconcileTests.accepted(first) { await hub.handle(runnerID: runnerID, message: message) }
            await hub.handle(runnerID: runnerID, message: PermissionHubTests.request(first, id: "toolu_a", suspendAfter: 1))
            await hub.start()
            defer { Task { await hub.stop() } }
            try await PermissionHubTests.eventually("the permission timeout suspend") {
                try await store.session(session.id, scope: .single)?.status == "suspended"
            }

            // Resumed without an answer: the task runs again and asks the same question.
            await hub.disconnected(runnerID: runnerID, link: link)
            _ = try await sessions.resume(session.id, apiKey: nil, scope: .single)
            let next = PermissionHubTests.Link()
            await hub.connected(runnerID: runnerID, link: next)
            try await PermissionHubTests.eventually("the re-run") { !next.executed.isEmpty }
            let second = try #require(next.executed.first)
            #expect(second.taskID == first.taskID && second.runID != first.runID)
            for message in RunnerReconcileTests.accepted(second) { await hub.handle(runnerID: runnerID, message: message) }
            await hub.handle(runnerID: runnerID, message: PermissionHubTests.request(second, id: "toolu_b", suspendAfter: 3600))
            var filter = PermissionFilter()
            filter.taskID = first.taskID
            let all = try await store.permissions(filter, page: PageRequest(), scope: .single).items
            #expect(Dictionary(uniqueKeysWithValues: all.map { ($0.originalRequestID, $0.status) }) == ["toolu_a": "canceled", "toolu_b": "pending"])
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await store.session(session.id, scope: .single)?.status == "active", "a superseded request suspended the session again")
        }
    }

    @Test(arguments: Engine.allCases) func aWithdrawnQuestionIsCanceled(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let setup = try await PermissionHubTests.Setup(store)
            let (tokens, hub, runnerID, session) = (setup.tokens, setup.hub, setup.runnerID, setup.session)
            let link = PermissionHubTests.Link()
            await hub.connected(runnerID: runnerID, link: link)
            let execute = try #require(link.executed.first)
            for message in RunnerReconcileTests.accepted(execute) { await hub.handle(runnerID: runnerID, message: message) }
            await hub.handle(runnerID: runnerID, message: PermissionHubTests.request(execute, id: "toolu_w"))
            let canceledEvents = store.events.subscribe(.init(patterns: [try EventPattern(parsing: "permission.canceled")], scope: .single))

            func withdraw(_ id: String, by runner: String) async {
                var withdrawn = Marionette_Runner_V1_PermissionWithdrawn()
                withdrawn.requestID = id
                withdrawn.taskID = execute.taskID
                withdrawn.runID = execute.runID
                withdrawn.sessionID = execute.sessionID
                withdrawn.reason = "withdrawn by the CLI"
                await hub.handle(runnerID: runner, message: RunnerReconcileTests.message(.permissionWithdrawn(withdrawn)))
            }
            var filter = PermissionFilter()
            filter.sessionID = session.id
            func status() async throws -> String? {
                try await store.permissions(filter, page: PageRequest(), scope: .single).items.first?.status
            }
            // Another runner cannot withdraw it.
            let other = try await tokens.create(CreateRunnerTokenRequest(poolName: "external"), createdBy: nil)
            var otherRegistration = RegisteredRunnerHub.registration
            otherRegistration.name = "r2"
            let (otherRunner, _) = try await hub.register(token: other.rawToken, otherRegistration)
            await withdraw("toolu_w", by: otherRunner)
            #expect(try await status() == "pending")

            await withdraw("toolu_w", by: runnerID)
            let record = try #require(try await store.permissions(filter, page: PageRequest(), scope: .single).items.first)
            #expect(record.status == "canceled" && record.responseReason == "withdrawn by the CLI")
            for await delivery in canceledEvents {
                if case .event(let event) = delivery {
                    #expect(event.type == "permission.canceled" && event.resourceID == record.id)
                    break
                }
            }
            // Withdrawn twice (a resend after a reconnect): nothing more happens; it can no longer be answered.
            await withdraw("toolu_w", by: runnerID)
            var permissions = PermissionService(store: store)
            permissions.hooks = hub
            await #expect(throws: APIError.self) {
                _ = try await permissions.answer(record.id, approved: true, reason: nil, respondedBy: nil, scope: .single)
            }
            #expect(PermissionHubTests.approvals(link).isEmpty)
        }
    }
}

/// Tasks of a session created with an agent config carry its model, base URL and `extra`.
@Suite struct AgentConfigDispatchTests {
    @Test(arguments: Engine.allCases) func executeTaskCarriesTheAgentConfig(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await store.database.transaction(.system) { db in
                try await db.execute(
                    "INSERT INTO agent_configs (id, name, agent, api_key_encrypted, model, base_url, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        .text("acfg_AAAAAAAA00000000"), .text("reviewer"), .text("claude"), .text("sealed"), .text("opus"),
                        .text("https://proxy"), .json(#"{"system_prompt":"Review only","max_turns":7,"verbose":true}"#),
                    ])
            }
            var request = CreateSessionRequest(agent: "claude")
            request.agentConfigID = "acfg_AAAAAAAA00000000"
            let setup = try await PermissionHubTests.Setup(store, session: request, prompt: "review")
            let (hub, runnerID) = (setup.hub, setup.runnerID)
            let link = RunnerReconcileTests.RecordingLink()
            await hub.connected(runnerID: runnerID, link: link)
            let execute = try #require(link.executed.first)
            #expect(execute.agentConfig.agent == "claude" && execute.agentConfig.model == "opus")
            #expect(execute.agentConfig.baseURL == "https://proxy")
            #expect(execute.agentConfig.extra == ["system_prompt": "Review only", "max_turns": "7", "verbose": "true"])
            #expect(execute.agentConfig.apiKey.isEmpty, "the stored key is never sent from here")
        }
    }
}
