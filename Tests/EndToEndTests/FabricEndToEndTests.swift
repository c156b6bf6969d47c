import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Server + local provider + agent as real processes on loopback: tasks run, logs stream live,
/// and nothing is lost when the server is killed or the runner's connection is cut.
@Suite(.serialized) struct FabricEndToEndTests {
    static let environment = ["MARIONETTE_HEARTBEAT_INTERVAL": "1s"]

    static func session(_ server: ServerProcess, key: String) async throws -> String {
        let created = try await HTTP.send(.POST, server.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"command"}"#)
        return try #require(created.json["id"] as? String, "session create: \(created.body)")
    }

    static func task(_ server: ServerProcess, key: String, session: String, prompt: String, extra: String = "") async throws
        -> String
    {
        let body = try JSONSerialization.data(withJSONObject: ["prompt": prompt])
        var json = String(decoding: body, as: UTF8.self)
        if !extra.isEmpty { json = String(json.dropLast()) + "," + extra + "}" }
        let created = try await HTTP.send(.POST, server.baseURL + "/api/v1/sessions/\(session)/tasks", key: key, json: json)
        return try #require(created.json["id"] as? String, "task create: \(created.body)")
    }

    static func waitForStatus(_ server: ServerProcess, key: String, task: String, _ wanted: Set<String>, timeout: Duration = .seconds(60))
        async throws -> [String: Any]
    {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await HTTP.get(server.baseURL + "/api/v1/tasks/\(task)", key: key).json
            if let status = last["status"] as? String, wanted.contains(status) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("task \(task) did not reach \(wanted); last: \(last)\n\(server.log.suffix(4000))")
    }

    static func runs(_ server: ServerProcess, key: String, task: String) async throws -> [[String: Any]] {
        try await HTTP.get(server.baseURL + "/api/v1/tasks/\(task)/runs", key: key).json["items"] as? [[String: Any]] ?? []
    }

    static let numbered = "i=1; while [ $i -le 20000 ]; do echo \"line $i\"; i=$((i+1)); done"

    static func expectNumbered(_ result: LogFollower.Result) {
        let stdout = result.lines.filter { $0.stream == "stdout" }.map(\.content)
        #expect(stdout.count == 20000, "got \(stdout.count) stdout lines")
        #expect(stdout == (1...20000).map { "line \($0)" }, "lines out of order or missing")
        let keys = result.lines.map { "\($0.runID):\($0.sequence)" }
        #expect(Set(keys).count == keys.count, "duplicate lines")
        #expect(result.endStatus == "completed")
    }

    @Test func twentyThousandLinesArriveInOrderThroughFollow() async throws {
        let server = try ServerProcess(environment: Self.environment)
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let session = try await Self.session(server, key: key)
        let task = try await Self.task(server, key: key, session: session, prompt: Self.numbered)
        let result = try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: task).follow()
        Self.expectNumbered(result)
        let runs = try await Self.runs(server, key: key, task: task)
        #expect(runs.first?["status"] as? String == "completed")
        #expect(runs.first?["exit_code"] as? Int == 0)
        let sessionNow = try await HTTP.get(server.baseURL + "/api/v1/sessions/\(session)", key: key).json
        #expect(sessionNow["status"] as? String == "active")
        #expect(sessionNow["runner_id"] is String)
    }

    @Test func serverKilledTwiceMidTaskLosesNothing() async throws {
        var server = try ServerProcess(environment: Self.environment)
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let session = try await Self.session(server, key: key)
        // Both restarts happen mid-task on any machine: after line 10,000 the task waits (≤ 60 s)
        // for a file the test creates in its workspace once the second restart is done.
        let prompt = "i=1; while [ $i -le 20000 ]; do echo \"line $i\"; i=$((i+1)); "
            + "if [ $i -eq 10001 ]; then n=0; while [ ! -e release ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done; fi; "
            + "if [ $((i % 2000)) -eq 0 ]; then sleep 0.4; fi; done"
        let workspace = try #require(
            try await HTTP.get(server.baseURL + "/api/v1/sessions/\(session)", key: key).json["workspace_id"] as? String)
        let task = try await Self.task(server, key: key, session: session, prompt: prompt)
        let holder = ServerHolder(server)
        let logs = LogFollower(baseURL: { holder.current.baseURL }, key: key, taskID: task)
        let follower = Task { try await logs.follow(timeout: .seconds(180)) }
        for restart in 0..<2 {
            // Each kill cuts a follow stream this server answered, however late the follower runs.
            try await logs.streams.wait(forAtLeast: restart + 1)
            try await Task.sleep(for: .milliseconds(1500))
            server.kill()
            try await Task.sleep(for: .milliseconds(300))
            server = try server.restarted()
            holder.current = server
            try await server.waitUntilReady()
        }
        #expect(FileManager.default.createFile(atPath: server.dataDir + "/workspaces/\(workspace)/release", contents: nil))
        let result = try await follower.value
        let last = server
        defer { last.stopNow() }
        var lines = result.lines.map(\.content)
        lines.removeAll { !$0.hasPrefix("line ") }
        #expect(lines == (1...20000).map { "line \($0)" }, "got \(lines.count) lines")
        let keys = result.lines.map { "\($0.runID):\($0.sequence)" }
        #expect(Set(keys).count == keys.count, "duplicate lines")
        if result.endStatus != "completed" {
            // Why the run ended: its status and error in the API, then the server's log.
            let runs = (try? await Self.runs(last, key: key, task: task)) ?? []
            let summary = runs.map { "\($0["status"] ?? "?"): \($0["error"] ?? "")" }.joined(separator: "; ")
            Issue.record("end: \(result.endStatus ?? "none"); runs: \(summary)\n\(last.log.suffix(3000))")
        }
        #expect(result.reconnects >= 2)
    }

    @Test func failingTimeoutCancelAndRetry() async throws {
        let server = try ServerProcess(environment: Self.environment)
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let session = try await Self.session(server, key: key)

        let failing = try await Self.task(server, key: key, session: session, prompt: "echo before; exit 3")
        let failed = try await Self.waitForStatus(server, key: key, task: failing, ["failed"])
        #expect(failed["status"] as? String == "failed")
        let failedRuns = try await Self.runs(server, key: key, task: failing)
        #expect(failedRuns.first?["exit_code"] as? Int == 3)
        #expect(failedRuns.first?["status"] as? String == "failed")

        let slow = try await Self.task(server, key: key, session: session, prompt: "sleep 30", extra: #""timeout_seconds":1"#)
        _ = try await Self.waitForStatus(server, key: key, task: slow, ["failed"], timeout: .seconds(30))
        #expect(try await Self.runs(server, key: key, task: slow).first?["status"] as? String == "timeout")

        let long = try await Self.task(server, key: key, session: session, prompt: "sleep 60")
        _ = try await Self.waitForStatus(server, key: key, task: long, ["running"])
        let started = ContinuousClock.now
        while try await Self.runs(server, key: key, task: long).first?["status"] as? String != "running",
            ContinuousClock.now - started < .seconds(10)
        {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await HTTP.send(.POST, server.baseURL + "/api/v1/tasks/\(long)/cancel", key: key).status == 204)
        #expect(try await HTTP.get(server.baseURL + "/api/v1/tasks/\(long)", key: key).json["status"] as? String == "canceled")
        #expect(try await Self.runs(server, key: key, task: long).first?["status"] as? String == "canceled")

        // The session keeps working after a cancel, and a failed task can be retried with a new run.
        let retry = try await HTTP.send(.POST, server.baseURL + "/api/v1/tasks/\(failing)/retry", key: key, json: #"{"force":true}"#)
        #expect(retry.status == 204)
        _ = try await Self.waitForStatus(server, key: key, task: failing, ["failed"])
        let retriedRuns = try await Self.runs(server, key: key, task: failing)
        #expect(retriedRuns.map { $0["attempt"] as? Int } == [1, 2])

        let ok = try await Self.task(server, key: key, session: session, prompt: "echo fine")
        #expect(try await Self.waitForStatus(server, key: key, task: ok, ["completed", "failed"])["status"] as? String == "completed")
    }

    @Test func backgroundProcessesLiveUntilSuspendAndResumeRunsAgain() async throws {
        let server = try ServerProcess(environment: Self.environment)
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let session = try await Self.session(server, key: key)
        // A sleep with a unique duration is easy to find with pgrep (dash has no `exec -a`).
        let marker = "sleep \(Int.random(in: 700_000...799_999))"
        let bg = try await Self.task(server, key: key, session: session, prompt: "\(marker) >/dev/null 2>&1 & echo started")
        _ = try await Self.waitForStatus(server, key: key, task: bg, ["completed"])
        #expect(try await run("/usr/bin/pgrep", ["-f", marker]).status == 0, "background process should outlive its task")
        #expect(try await HTTP.send(.POST, server.baseURL + "/api/v1/sessions/\(session)/suspend", key: key).status == 204)
        let deadline = ContinuousClock.now + .seconds(15)
        while try await run("/usr/bin/pgrep", ["-f", marker]).status == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try await run("/usr/bin/pgrep", ["-f", marker]).status != 0, "suspend must end the session's processes")
        let after = try await Self.task(server, key: key, session: session, prompt: "echo resumed")
        #expect(try await Self.waitForStatus(server, key: key, task: after, ["completed"])["status"] as? String == "completed")
    }

    @Test func externalRunnerWithTokenAndConnectionCut() async throws {
        let server = try ServerProcess(environment: Self.environment, extraArguments: [])
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let password = try #require(server.adminPassword)
        let minted = try await run(
            "/usr/bin/curl", ["-s", "-u", "admin:\(password)", "-X", "POST", server.adminURL + "/admin/api/v1/runner-tokens",
                              "-d", #"{"pool_name":"ci"}"#])
        let token = try #require(
            (try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any])?["raw_token"] as? String,
            "runner token: \(minted.stdout)")

        // A refused token is a clear error and exit status 2.
        let refused = try await run(
            ServerProcess.binary("marionette-agent"),
            ["--server", server.grpcAddress, "--token", "rtok_" + String(repeating: "x", count: 43), "--workspace", ServerProcess.tempDir("ws")],
            environment: Self.environment)
        #expect(refused.status == 2)
        #expect((refused.stderr + refused.stdout).contains("runner token"))

        // The real runner dials through a relay that the test can cut.
        let relay = try TCPRelay(target: server.ports.grpc)
        defer { relay.stop() }
        let agent = try AgentProcess(
            ["--server", "127.0.0.1:\(relay.port)", "--data-port", "\(server.ports.data)", "--token", token, "--name", "ext-1", "--pool", "ci"],
            environment: Self.environment)
        defer { agent.stop() }
        let deadline = ContinuousClock.now + .seconds(20)
        var runners: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            runners = try await HTTP.get(server.baseURL + "/api/v1/runners?pool_name=ci", key: key).json["items"] as? [[String: Any]] ?? []
            if runners.first?["status"] as? String == "idle" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(runners.first?["name"] as? String == "ext-1")
        #expect(runners.first?["status"] as? String == "idle")

        // With a connected external runner, a new session's task goes to it.
        let session = try await Self.session(server, key: key)
        let prompt = "i=1; while [ $i -le 20000 ]; do echo \"line $i\"; i=$((i+1)); if [ $((i % 4000)) -eq 0 ]; then sleep 0.3; fi; done"
        let task = try await Self.task(server, key: key, session: session, prompt: prompt)
        let follower = Task { try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: task).follow(timeout: .seconds(120)) }
        try await Task.sleep(for: .milliseconds(700))
        relay.cutAll()
        let result = try await follower.value
        Self.expectNumbered(result)
        #expect(relay.acceptedConnections >= 2, "the agent should have reconnected through the relay")
        let sessionNow = try await HTTP.get(server.baseURL + "/api/v1/sessions/\(session)", key: key).json
        #expect(sessionNow["runner_id"] as? String == runners.first?["id"] as? String)
    }
}

/// Lets a follower closure see the current server across restarts.
final class ServerHolder: @unchecked Sendable {
    // @unchecked: written by the test task between restarts, read by the follower's URL closure;
    // a stale read only costs one reconnect attempt.
    var current: ServerProcess
    init(_ server: ServerProcess) { current = server }
}
