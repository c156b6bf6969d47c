import Core
import Foundation
import Logging
import TestSupport
import Testing

@testable import Orchestrator

/// A local runner whose process ends before its agent connects (a broken binary, a sandbox that
/// refuses to start) fails the start at once, with the reason on the session's tasks, instead of
/// being noticed only at the 60 s spawn timeout.
@Suite struct RunnerStartFailureTests {
    @Test func runnerThatExitsBeforeConnectingParksTheTasksWithTheReasonAtOnce() async throws {
        try await TestDatabases.with(.sqlite) { store in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mt-exit-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // Stands in for an agent that dies at start.
            let agent = dir + "/broken-agent"
            try ExecutableScript.write("#!/bin/sh\necho 'cannot start' >&2\nexit 3\n", to: agent)

            let tokens = RunnerTokenService(store: store, multiTenant: false)
            let provider = LocalProvider(
                settings: .init(agentBinary: agent, dataDir: dir, serverAddress: "127.0.0.1:1", dataPort: 1, sandbox: "none"),
                store: store, tokens: tokens, logger: TestDatabases.logger)
            let hub = RunnerHub(
                store: store, tokens: tokens, provider: provider, hub: LogHub(), settings: .init(),
                logger: TestDatabases.logger)
            await hub.start()
            defer { Task { await hub.stop() } }

            let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
            var tasks = TaskService(store: store)
            tasks.hooks = hub
            let started = ContinuousClock.now
            let task = try await tasks.create(CreateTaskRequest(sessionID: session.id, prompt: "echo hi"), scope: .single)

            var reason: String?
            while ContinuousClock.now - started < .seconds(20) {
                reason = try await store.task(task.id, scope: .single)?.dispatchParkedReason
                if reason?.contains("exited") == true { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(ContinuousClock.now - started < .seconds(20), "the failed start was not reported before the timeout")
            let text = try #require(reason)
            #expect(text.contains("the runner process exited (exit status 3) before it connected"), "\(text)")
            // The reason points at the runner's output, which holds what the process said.
            let logPath = try #require(text.components(separatedBy: "its output is in ").last)
            #expect(try String(contentsOfFile: logPath, encoding: .utf8).contains("cannot start"))
            #expect(try await store.task(task.id, scope: .single)?.status == "pending")
        }
    }

    @Test func waitStatusesAreDescribed() {
        #expect(ProcessSpawner.describe(waitStatus: 3 << 8) == "exit status 3")
        #expect(ProcessSpawner.describe(waitStatus: 9) == "signal 9")
        #expect(ProcessSpawner.describe(waitStatus: 0) == "exit status 0")
    }
}
