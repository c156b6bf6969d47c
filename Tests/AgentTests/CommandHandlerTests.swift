import Foundation
import Testing

@testable import Agent

@Suite(.serialized) struct CommandHandlerTests {
    struct Fixture {
        let base = temporaryDirectory("handler")
        let buffer = LogBuffer()
        let sink = RecordingSink()
        let handler: CommandHandler

        /// `interruptGrace`: the interrupt tests give the double far longer than the product's 2 s, because
        /// on a loaded two-core CI machine a Python process can be starved that long (seen once: the
        /// double had answered the interrupt but not yet written its result when SIGTERM came).
        init(
            killGrace: Duration = .seconds(5), interruptGrace: Duration = .seconds(2),
            executors: [any TaskExecutor] = [CommandExecutor()], environment: [String: String] = [:]
        ) {
            var configuration = CommandHandler.Configuration(
                workspaceBase: base,
                baseEnvironment: [
                    "PATH": "/usr/bin:/bin", "MARIONETTE_RUNNER_TOKEN": "rtok_secret",
                    "MARIONETTE_CLAUDE_BIN": ClaudeExecutorTests.double, "MARIONETTE_CODEX_BIN": CodexExecutorTests.double,
                ].merging(environment) { $1 },
                killGrace: killGrace, sequenceWait: .milliseconds(1))
            configuration.interruptGrace = interruptGrace
            handler = CommandHandler(
                configuration: configuration,
                logs: buffer, events: sink, executors: executors, logger: testLogger)
        }

        func attach(_ session: String = "sess_1", agent: String = "command") async {
            await handler.handle(
                .attachSession(
                    AttachSessionCommand(
                        sessionID: session, workspaceID: "ws_\(session)", agentSettings: AgentSettings(agent: agent),
                        permissionPolicy: "ask")))
        }

        /// Waits until the run has logged a line containing `text`.
        func waitForLine(_ text: String, run: String) async -> Bool {
            for _ in 0..<300 {
                if await bufferedLines(buffer, run: run).contains(where: { $0.content.contains(text) }) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        func execute(_ prompt: String, run: String, session: String = "sess_1", timeout: Int64 = 0) async {
            await handler.handle(
                .executeTask(ExecuteTaskCommand(taskID: "task_\(run)", runID: run, sessionID: session, prompt: prompt, timeoutSeconds: timeout)))
        }
    }

    private func processStat(_ pid: Int32) -> ProcFS.ProcessStat? {
        guard let stat = ProcFS.stat(of: pid), stat.state != "Z" else { return nil }
        return stat
    }

    @Test func attachExecuteComplete() async throws {
        let fixture = Fixture()
        await fixture.execute("true", run: "trun_0")
        let refused = await fixture.sink.completion(run: "trun_0")
        #expect(refused?.error == "session not attached")

        await fixture.attach()
        #expect(FileManager.default.fileExists(atPath: fixture.base + "/ws_sess_1"))
        #expect(fixture.sink.all.contains(.sessionAttached(sessionID: "sess_1", restored: false, workspaceRestored: false)))

        await fixture.execute("echo $MARIONETTE_RUN_ID ${MARIONETTE_RUNNER_TOKEN:-no-token}; exit 4", run: "trun_1")
        let key = RunKey(taskID: "task_trun_1", runID: "trun_1", attempt: 1)
        let completion = try #require(await fixture.sink.completion(run: "trun_1"))
        #expect(!completion.success && completion.exitCode == 4)
        let lines = await bufferedLines(fixture.buffer, run: "trun_1")
        #expect(completion.lastLogSequence == Int64(lines.count))
        #expect(lines.contains { $0.content == "trun_1 no-token" })

        // Order of events for the run: accepted, started, completed.
        let runEvents = fixture.sink.all.filter {
            switch $0 {
            case .taskAccepted(let k), .taskStarted(let k): k == key
            case .taskCompleted(let c): c.key == key
            default: false
            }
        }
        #expect(runEvents.count == 3)
        #expect(runEvents.first == .taskAccepted(key) && runEvents[1] == .taskStarted(key))

        // A redelivery of the completed run re-sends the same result without running it.
        await fixture.execute("exit 0", run: "trun_1")
        let resent = fixture.sink.all.filter { if case .taskCompleted(let c) = $0 { c.key == key } else { false } }
        #expect(resent.count == 2 && resent[0] == resent[1])
    }

    @Test func killTaskCancelsTheProcessGroup() async throws {
        let fixture = Fixture()
        await fixture.attach()
        await fixture.execute("sleep 30; echo never", run: "trun_k")
        // Redelivery while running is ignored.
        await fixture.execute("sleep 30", run: "trun_k")
        _ = await fixture.sink.waitFor { $0 == .taskStarted(RunKey(taskID: "task_trun_k", runID: "trun_k", attempt: 1)) }
        let status = await fixture.handler.status()
        #expect(status.busy && status.runningRuns.map(\.runID) == ["trun_k"])
        let started = ContinuousClock.now
        await fixture.handler.handle(.killTask(KillTaskCommand(taskID: "task_trun_k", runID: "trun_k", reason: "canceled")))
        let completion = try #require(await fixture.sink.completion(run: "trun_k"))
        // Far below the 30 s sleep; generous because a loaded two-core CI machine is slow to reap.
        #expect(started.duration(to: .now) < .seconds(10))
        #expect(!completion.success && completion.error == "canceled")
        #expect(completion.exitCode == 128 + SIGTERM)
        let accepted = fixture.sink.all.filter { $0 == .taskAccepted(RunKey(taskID: "task_trun_k", runID: "trun_k", attempt: 1)) }
        #expect(accepted.count == 1)
        #expect(await !fixture.handler.status().busy)
    }

    /// `KillTask` of an agent CLI interrupts its turn through its protocol before any signal
    /// (orchestration.md §4.3, §4.4): the CLI ends the turn and exits by itself, with status 0.
    @Test func killTaskInterruptsClaudeBeforeSignals() async throws {
        let fixture = Fixture(interruptGrace: .seconds(10), executors: [ClaudeExecutor(exitGrace: .seconds(5))])
        await fixture.attach(agent: "claude")
        await fixture.execute("say started\nsleep 30\nsay never", run: "trun_ci")
        // The CLI's own message (the runner's "Claude Code started" comes before the prompt is sent).
        #expect(await fixture.waitForLine(#""text":"started""#, run: "trun_ci"))
        try await Task.sleep(for: .milliseconds(200))  // the double is inside its sleep step
        let started = ContinuousClock.now
        await fixture.handler.handle(.killTask(KillTaskCommand(taskID: "task_trun_ci", runID: "trun_ci", reason: "canceled")))
        let completion = try #require(await fixture.sink.completion(run: "trun_ci"))
        #expect(started.duration(to: .now) < .seconds(10))
        #expect(!completion.success && completion.error == "canceled")
        #expect(completion.exitCode == 0, "the CLI ended its turn and exited on its own, no signal needed")
        let lines = await bufferedLines(fixture.buffer, run: "trun_ci")
        #expect(lines.contains { $0.content.contains(#""request_id":"marionette_interrupt_1""#) })
        #expect(lines.contains { $0.content.contains("error_during_execution") })
        #expect(!lines.contains { $0.content.contains("never") && !$0.content.contains("sleep") })
    }

    /// A `KillTask` while the CLI is still starting, before its prompt went out: the prompt is
    /// withheld and the CLI's input closed, so it exits by itself without running the turn. (Sent
    /// as usual, the early interrupt found no turn to stop and the prompt then ran until SIGTERM.)
    @Test func killTaskBeforeThePromptWithholdsIt() async throws {
        let fixture = Fixture(
            interruptGrace: .seconds(10), executors: [ClaudeExecutor(exitGrace: .seconds(5))],
            environment: ["CLAUDE_DOUBLE_INITIALIZE_DELAY": "1.5"])
        await fixture.attach(agent: "claude")
        await fixture.execute("say started\nsleep 30\nsay never", run: "trun_cb")
        let key = RunKey(taskID: "task_trun_cb", runID: "trun_cb", attempt: 1)
        #expect(await fixture.sink.waitFor { $0 == .taskStarted(key) } != nil)
        let started = ContinuousClock.now
        await fixture.handler.handle(.killTask(KillTaskCommand(taskID: "task_trun_cb", runID: "trun_cb", reason: "canceled")))
        let completion = try #require(await fixture.sink.completion(run: "trun_cb"))
        let lines = await bufferedLines(fixture.buffer, run: "trun_cb")
        let elapsed = started.duration(to: .now)
        let said = lines.map(\.content).suffix(12).joined(separator: "\n")
        #expect(!completion.success && completion.error == "canceled")
        #expect(completion.exitCode == 0, "the CLI exited on its own at the end of its input (after \(elapsed)):\n\(said)")
        #expect(elapsed < .seconds(10), "no signal was needed:\n\(said)")
        #expect(lines.contains { $0.content.contains("stopped before the prompt was sent") }, "\(said)")
        #expect(!lines.contains { $0.content.contains(#""text":"started""#) }, "the turn never ran:\n\(said)")
    }

    @Test func killTaskInterruptsACodexTurnWaitingForApproval() async throws {
        let fixture = Fixture(interruptGrace: .seconds(10), executors: [CodexExecutor(exitGrace: .seconds(5))])
        await fixture.attach(agent: "codex")
        await fixture.execute("bash echo ran > ran.txt", run: "trun_cx")
        let asked = await fixture.sink.waitFor { if case .permissionRequest = $0 { true } else { false } }
        #expect(asked != nil)
        await fixture.handler.handle(.killTask(KillTaskCommand(taskID: "task_trun_cx", runID: "trun_cx", reason: "canceled")))
        let completion = try #require(await fixture.sink.completion(run: "trun_cx"))
        #expect(!completion.success && completion.error == "canceled")
        #expect(completion.exitCode == 0, "the app-server ended the turn and exited on its own")
        let lines = await bufferedLines(fixture.buffer, run: "trun_cx")
        #expect(lines.contains { $0.content.contains(#""status":"interrupted""#) })
        #expect(!FileManager.default.fileExists(atPath: fixture.base + "/ws_sess_1/ran.txt"))
    }

    @Test func killEscalatesToSIGKILL() async throws {
        let fixture = Fixture(killGrace: .milliseconds(300))
        await fixture.attach()
        await fixture.execute("trap '' TERM; sleep 30", run: "trun_hard")
        _ = await fixture.sink.waitFor { $0 == .taskStarted(RunKey(taskID: "task_trun_hard", runID: "trun_hard", attempt: 1)) }
        try await Task.sleep(for: .milliseconds(200))
        await fixture.handler.handle(.killTask(KillTaskCommand(taskID: "task_trun_hard", runID: "trun_hard", reason: "timeout")))
        let completion = try #require(await fixture.sink.completion(run: "trun_hard"))
        #expect(completion.error == "timeout")
        #expect(completion.exitCode == 128 + SIGKILL)
    }

    @Test func agentEnforcesTheTaskTimeout() async throws {
        let fixture = Fixture()
        await fixture.attach()
        await fixture.execute("sleep 30", run: "trun_t", timeout: 1)
        let completion = try #require(await fixture.sink.completion(run: "trun_t"))
        #expect(!completion.success && completion.error == "task execution timed out")
    }

    @Test func backgroundProcessSurvivesTheTaskButNotTheDetach() async throws {
        let fixture = Fixture()
        await fixture.attach()
        let pidFile = fixture.base + "/bg.pid"
        let started = ContinuousClock.now
        await fixture.execute("sleep 120 & echo $! > \(pidFile); echo started", run: "trun_bg")
        let completion = try #require(await fixture.sink.completion(run: "trun_bg"))
        #expect(completion.success)
        // The task ended after the 1 s drain although the background sleep holds its pipes: long
        // before the sleep ends (waiting for its pipes would take 120 s). The margin is wide on
        // purpose: a full parallel test run on 2 cores took over 5 s to report a 1 s task.
        #expect(started.duration(to: .now) < .seconds(60))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let stat = try #require(processStat(pid), "background sleep should still run after the task")
        #expect(await fixture.handler.status().processGroups.contains(stat.processGroup))
        #expect(!(await fixture.handler.status().busy))

        await fixture.handler.handle(
            .detachSession(DetachSessionCommand(sessionID: "sess_1", strategy: "release_to_pool", reason: "user_request")))
        let suspended = await fixture.sink.waitFor {
            if case .sessionSuspended(let s) = $0 { return s.sessionID == "sess_1" }
            return false
        }
        guard case .sessionSuspended(let suspension)? = suspended else { Issue.record("no SessionSuspended"); return }
        #expect(suspension.success && suspension.strategy == "release_to_pool")
        #expect(processStat(pid) == nil, "background sleep must die on detach")
        #expect(await fixture.handler.status().activeSessionID == "")

        // After the detach the session is unknown.
        await fixture.execute("true", run: "trun_after")
        #expect(await fixture.sink.completion(run: "trun_after")?.error == "session not attached")
    }

    @Test func detachDuringATaskForgetsTheRun() async throws {
        let fixture = Fixture()
        await fixture.attach()
        await fixture.execute("echo hi; sleep 30", run: "trun_d")
        // Its first line, not just its start: a loaded machine can take longer to run the shell's
        // `echo` than the test takes to detach.
        #expect(await fixture.waitForLine("hi", run: "trun_d"))
        await fixture.handler.handle(.detachSession(DetachSessionCommand(sessionID: "sess_1", strategy: "terminate")))
        #expect(fixture.sink.all.contains { if case .sessionSuspended = $0 { true } else { false } })
        // No result for the killed run, and it may run again after a resume.
        #expect(await fixture.sink.completion(run: "trun_d", timeout: .milliseconds(300)) == nil)
        await fixture.attach()
        await fixture.execute("echo again", run: "trun_d")
        let completion = try #require(await fixture.sink.completion(run: "trun_d"))
        #expect(completion.success)
        // Log numbering continued instead of restarting at 1.
        let lines = await bufferedLines(fixture.buffer, run: "trun_d")
        #expect(lines.map(\.sequence) == Array(1...Int64(lines.count)))
        #expect(lines.contains { $0.content == "again" } && lines.contains { $0.content == "hi" })
    }

    @Test func theAgentKeyIsRedactedWhileItRunsAndZeroedOnDetach() async throws {
        let fixture = Fixture()
        let settings = AgentSettings(agent: "command", apiKey: "sk-session-0123456789")
        let key = try #require(settings.credential)
        await fixture.handler.handle(
            .attachSession(AttachSessionCommand(sessionID: "sess_1", workspaceID: "ws_sess_1", agentSettings: settings)))
        await fixture.execute("echo sk-session-0123456789; sleep 30", run: "trun_k")
        #expect(await fixture.waitForLine("[redacted]", run: "trun_k"))
        #expect(!key.isWiped, "the running task still redacts with it")
        await fixture.handler.handle(.detachSession(DetachSessionCommand(sessionID: "sess_1", strategy: "terminate")))
        #expect(key.isWiped)
        #expect(await bufferedLines(fixture.buffer, run: "trun_k").allSatisfy { !$0.content.contains("sk-session") })

        // A task's own key is zeroed when the task ends; a re-attach's new key replaces the old one.
        let reattach = AgentSettings(agent: "command", apiKey: "sk-session-abcdefghij")
        let replaced = try #require(reattach.credential)
        await fixture.handler.handle(
            .attachSession(AttachSessionCommand(sessionID: "sess_1", workspaceID: "ws_sess_1", agentSettings: reattach)))
        let own = AgentSettings(agent: "command", apiKey: "sk-task-0123456789")
        await fixture.handler.handle(
            .executeTask(ExecuteTaskCommand(taskID: "task_o", runID: "trun_o", sessionID: "sess_1", prompt: "true", agentSettings: own)))
        #expect(try #require(await fixture.sink.completion(run: "trun_o")).success)
        #expect(own.credential?.isWiped == true && !replaced.isWiped)
        await fixture.handler.handle(
            .attachSession(AttachSessionCommand(sessionID: "sess_1", workspaceID: "ws_sess_1", agentSettings: AgentSettings(agent: "command"))))
        #expect(replaced.isWiped)
    }

    @Test func permissionAnswersAreAcknowledged() async {
        let fixture = Fixture()
        await fixture.handler.handle(
            .attachSession(
                AttachSessionCommand(
                    sessionID: "sess_p", contextSnapshot: Array("{}".utf8),
                    pendingPermissions: [PendingPermissionAnswer(requestID: "tu_1", permissionID: "perm_1", approved: true)])))
        await fixture.handler.handle(
            .approvePermission(ApprovePermissionCommand(answer: PendingPermissionAnswer(requestID: "tu_2", permissionID: "perm_2", approved: false))))
        #expect(fixture.sink.all == [
            .sessionAttached(sessionID: "sess_p", restored: true, workspaceRestored: false),
            .permissionResponseAck(requestID: "tu_1", permissionID: "perm_1"),
            .permissionResponseAck(requestID: "tu_2", permissionID: "perm_2"),
        ])
    }
}
