import Fabric
import Foundation
import GRPCCore
import Testing

@testable import Agent

/// The agent against a fake fabric server over real gRPC on loopback.
@Suite(.serialized) struct FabricIntegrationTests {
    struct Harness {
        let server: FakeFabricServer
        let runtime: AgentRuntime
        let run: Task<Void, any Error>
        let workspace: String
        /// The agent's log, shown when a wait runs out.
        let log: LogRecorder

        static func start(server: FakeFabricServer, token: String = FakeFabricService.token) -> Harness {
            var configuration = AgentConfiguration()
            configuration.server = ServerAddress(host: "127.0.0.1", port: server.port)
            configuration.dataPort = 1  // nothing listens: the data client just keeps retrying
            configuration.token = token
            configuration.name = "test-runner"
            configuration.workspaceBase = temporaryDirectory("fabric")
            configuration.heartbeatInterval = .milliseconds(200)
            let log = LogRecorder()
            let runtime = AgentRuntime(
                configuration: configuration, logger: log.logger, hostname: "test-host",
                environment: ["PATH": "/usr/bin:/bin"],
                sandbox: SandboxEnvironment(isolation: "host", types: []))
            let run = Task { try await runtime.run() }
            return Harness(server: server, runtime: runtime, run: run, workspace: configuration.workspaceBase, log: log)
        }

        func stop() async {
            runtime.requestShutdown()
            _ = await run.result
            await server.kill()
        }

        func waitUntil(
            timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
            _ condition: @Sendable () async -> Bool
        ) async -> Bool {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            while ContinuousClock.now < deadline {
                if await condition() { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            if await condition() { return true }
            Issue.record("waited \(timeout) in vain; the agent's last log lines:\n\(log.tail())", sourceLocation: sourceLocation)
            return false
        }

        func attachAndExecute(run runID: String, prompt: String) async -> Bool {
            var attach = Marionette_Runner_V1_AttachSession()
            attach.sessionID = "sess_1"
            attach.workspaceID = "ws_1"
            attach.agentConfig.agent = "command"
            var execute = Marionette_Runner_V1_ExecuteTask()
            execute.taskID = "task_" + runID
            execute.runID = runID
            execute.attempt = 1
            execute.sessionID = "sess_1"
            execute.prompt = prompt
            let attached = await server.send(.attachSession(attach))
            let executed = await server.send(.executeTask(execute))
            return attached && executed
        }

        func completion(_ runID: String) async -> Marionette_Runner_V1_TaskCompleted? {
            let state = server.state
            _ = await waitUntil(timeout: .seconds(30)) { await state.completions().contains { $0.runID == runID } }
            return await state.completions().first { $0.runID == runID }
        }
    }

    @Test func registerConnectHeartbeatExecuteAndUploadLogs() async throws {
        let server = try await FakeFabricServer()
        let harness = Harness.start(server: server)
        let state = server.state
        #expect(await harness.waitUntil { await state.runnerMessages.count >= 2 })

        let registration = try #require(await state.registrations.first)
        #expect(registration.token == FakeFabricService.token)
        #expect(registration.request.name == "test-runner" && registration.request.hostname == "test-host")
        #expect(registration.request.capabilities.starts(with: ["logs.ack.v1", "tunnel.data.v1", "media.rpc.v1", "agent.claude", "agent.codex", "agent.command", "agent.custom"]))
        #expect(registration.request.os == "linux" && registration.request.agentVersion == AgentBuildInfo.version)
        let connect = try #require(await state.connectMetadata.first)
        #expect(connect["x-runner-id"] == FakeFabricService.runnerID && connect["x-marionette-protocol"] == "1")
        guard case .heartbeat(let first)? = await state.runnerMessages.first?.payload else {
            Issue.record("the first message on Connect must be a heartbeat")
            return
        }
        #expect(first.runnerID == FakeFabricService.runnerID && first.status == "idle")
        #expect(first.resources.memoryBytes > 0)

        #expect(await harness.attachAndExecute(run: "trun_1", prompt: "for i in $(seq 1 1500); do echo line $i; done; echo oops >&2"))
        let completion = try #require(await harness.completion("trun_1"))
        #expect(completion.success && completion.exitCode == 0)
        #expect(completion.lastLogSequence == 1503)  // 2 system lines + 1500 + 1 stderr line

        #expect(await harness.waitUntil { await state.finals.contains("trun_1") })
        let lines = await state.lines("trun_1")
        #expect(lines.map(\.sequence) == Array(1...1503))
        #expect(lines[0].stream == "system" && lines[0].content == "Command started")
        #expect(lines.filter { $0.stream == "stdout" }.map(\.content) == (1...1500).map { "line \($0)" })
        // stdout and stderr are separate pipes: only the order within each stream is defined.
        #expect(lines.filter { $0.stream == "stderr" }.map { "\($0.level) \($0.content)" } == ["error oops"])
        #expect(lines.allSatisfy { $0.sessionID == "sess_1" && $0.taskID == "task_trun_1" && $0.runnerID == FakeFabricService.runnerID })
        #expect(await state.duplicates == 0)
        #expect(await state.protocolViolations.isEmpty)

        // Event order on the control stream for the run.
        let kinds = await state.runnerMessages.compactMap { message -> String? in
            switch message.payload {
            case .sessionAttached: "attached"
            case .taskAccepted: "accepted"
            case .taskStarted: "started"
            case .taskCompleted: "completed"
            default: nil
            }
        }
        #expect(kinds == ["attached", "accepted", "started", "completed"])
        // Heartbeats keep coming and report the run while busy / idle after.
        let heartbeats = await state.runnerMessages.filter { if case .heartbeat = $0.payload { true } else { false } }
        #expect(heartbeats.count >= 2)
        await harness.stop()
    }

    @Test func serverKilledMidTaskLosesNoLine() async throws {
        let server = try await FakeFabricServer()
        let state = server.state
        await state.setAckEvery(3)
        let harness = Harness.start(server: server)
        #expect(await harness.waitUntil { await !state.connectMetadata.isEmpty })
        let prompt = "for i in $(seq 1 3000); do echo line $i; if [ $((i % 300)) = 0 ]; then sleep 0.2; fi; done"
        #expect(await harness.attachAndExecute(run: "trun_crash", prompt: prompt))
        #expect(await harness.waitUntil { await state.storedCount("trun_crash") > 500 })
        // Commits stall: lines keep arriving but are not acknowledged...
        await state.freezeAcks(true)
        let frozenAt = await state.storedCount("trun_crash")
        #expect(await harness.waitUntil { await state.storedCount("trun_crash") >= frozenAt + 150 })

        // ...and the server crashes: connections cut, everything unacknowledged is lost.
        await server.kill()
        let before = await state.storedCount("trun_crash")
        await state.loseUnacknowledged(await state.lastAcked)
        #expect(await state.storedCount("trun_crash") < before - 100)
        await state.freezeAcks(false)
        try await Task.sleep(for: .milliseconds(700))
        try await server.restart()

        let completion = try #require(await harness.completion("trun_crash"))
        #expect(completion.success)
        #expect(await harness.waitUntil(timeout: .seconds(30)) { await state.finals.contains("trun_crash") })
        let lines = await state.lines("trun_crash")
        #expect(lines.map(\.sequence) == Array(1...Int64(lines.count)))
        #expect(lines.filter { $0.stream == "stdout" }.map(\.content) == (1...3000).map { "line \($0)" })
        #expect(completion.lastLogSequence == Int64(lines.count))
        #expect(await state.connectMetadata.count >= 2)
        #expect(await state.protocolViolations.isEmpty)
        await harness.stop()
    }

    /// A run that ends while the server is away: its queued TaskCompleted goes out on the new
    /// connection before the first heartbeat, which no longer lists the run (the server reconciles
    /// at that heartbeat and would fail the run as "runner lost run").
    @Test func resultQueuedWhileDisconnectedPrecedesTheFirstHeartbeat() async throws {
        let server = try await FakeFabricServer()
        let state = server.state
        let harness = Harness.start(server: server)
        #expect(await harness.waitUntil { await !state.connectMetadata.isEmpty })
        #expect(await harness.attachAndExecute(run: "trun_away", prompt: "sleep 1; echo done"))
        #expect(await harness.waitUntil {
            await state.runnerMessages.contains { if case .taskStarted(let started)? = $0.payload { started.runID == "trun_away" } else { false } }
        })
        await server.kill()
        // Restart only once the run ended and its result waits in the outbox: a fixed sleep let a
        // loaded machine finish the run after the restart, which this test is not about.
        let outbox = harness.runtime.outbox
        #expect(await harness.waitUntil {
            await outbox.contains { if case .taskCompleted(let done) = $0 { done.key.runID == "trun_away" } else { false } }
        })
        let before = await state.runnerMessages.count
        try await server.restart()
        _ = try #require(await harness.completion("trun_away"))
        #expect(await harness.waitUntil {
            await state.runnerMessages.dropFirst(before).contains { if case .heartbeat? = $0.payload { true } else { false } }
        })
        let after = Array(await state.runnerMessages.dropFirst(before))
        let completed = after.firstIndex { if case .taskCompleted? = $0.payload { true } else { false } }
        let heartbeat = after.firstIndex { if case .heartbeat? = $0.payload { true } else { false } }
        #expect(completed != nil && heartbeat != nil && completed! < heartbeat!, "\(after.map { $0.payload.debugDescription })")
        await harness.stop()
    }

    @Test func firstRegistrationRefusedExitsWithStatus2() async throws {
        let server = try await FakeFabricServer()
        let harness = Harness.start(server: server, token: "rtok_wrong")
        let result = await harness.run.result
        guard case .failure(let error) = result, let exit = error as? AgentExit else {
            Issue.record("expected AgentExit, got \(result)")
            return
        }
        #expect(exit.status == 2)
        #expect(exit.description.contains("runner token rejected"))
        await server.kill()
    }

    @Test func laterRefusalsKeepRetrying() async throws {
        let server = try await FakeFabricServer()
        let state = server.state
        let harness = Harness.start(server: server)
        #expect(await harness.waitUntil { await !state.connectMetadata.isEmpty })
        await state.setRejectRegistration(.unauthenticated)
        try await server.restart()
        #expect(await harness.waitUntil(timeout: .seconds(20)) { await state.registrations.count >= 2 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(!harness.run.isCancelled)
        await state.setRejectRegistration(nil)
        #expect(await harness.waitUntil(timeout: .seconds(30)) { await state.connectMetadata.count >= 2 })
        await harness.stop()
    }

    @Test func shutdownFlushesAndStops() async throws {
        let server = try await FakeFabricServer()
        let state = server.state
        let harness = Harness.start(server: server)
        #expect(await harness.waitUntil { await !state.connectMetadata.isEmpty })
        #expect(await harness.attachAndExecute(run: "trun_s", prompt: "echo before; sleep 30"))
        #expect(await harness.waitUntil { await (state.stored["trun_s"]?.count ?? 0) >= 3 })
        let started = ContinuousClock.now
        harness.runtime.requestShutdown()
        _ = try await harness.run.value
        #expect(started.duration(to: .now) < .seconds(12))
        // The killed run was reported and its lines were all delivered.
        let completion = await state.completions().first { $0.runID == "trun_s" }
        #expect(completion?.success == false)
        #expect(await state.finals.contains("trun_s"))
        await server.kill()
    }
}
