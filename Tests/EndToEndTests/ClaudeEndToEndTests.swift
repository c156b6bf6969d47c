import Foundation
import Testing

/// `agent: "claude"` sessions end to end: the real server, local runners and agent processes,
/// with the Claude Code test double (Tests/Doubles/claude/claude) as the CLI. Permission requests
/// travel CLI → agent → server → API, answers back the same way; an unanswered one suspends the
/// session and its answer resumes it.
@Suite(.serialized) struct ClaudeEndToEndTests {
    static let double = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Doubles/claude/claude").path
    static let mctl = ServerProcess.binary("mctl")

    static func environment(suspendAfter: Int? = nil) -> [String: String] {
        var env = ["MARIONETTE_HEARTBEAT_INTERVAL": "1s", "MARIONETTE_CLAUDE_BIN": double]
        if let suspendAfter { env["MARIONETTE_PERMISSIONS_DEFAULT_SUSPEND_AFTER_SECONDS"] = "\(suspendAfter)" }
        return env
    }

    static func session(_ server: ServerProcess, key: String) async throws -> (id: String, workspace: String) {
        let created = try await HTTP.send(.POST, server.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"claude"}"#)
        let id = try #require(created.json["id"] as? String, "session create: \(created.body)")
        let workspace = try #require(created.json["workspace_id"] as? String)
        return (id, server.dataDir + "/workspaces/" + workspace)
    }

    /// The first pending request of the session, once it appears.
    static func pendingPermission(_ server: ServerProcess, key: String, session: String, timeout: Duration = .seconds(60)) async throws
        -> [String: Any]
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let list = try await HTTP.get(server.baseURL + "/api/v1/permissions?session_id=\(session)&status=pending", key: key)
            if let first = (list.json["items"] as? [[String: Any]])?.first { return first }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError("no pending permission request for \(session)\n\(server.log.suffix(3000))")
    }

    static func waitFor(_ what: String, timeout: Duration = .seconds(60), _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("timed out waiting for \(what)")
    }

    @Test func tasksPermissionsAndResume() async throws {
        let server = try ServerProcess(environment: Self.environment())
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let (session, workspace) = try await Self.session(server, key: key)
        let mctlEnv = ["MARIONETTE_API_URL": server.baseURL, "MARIONETTE_API_KEY": key, "HOME": ServerProcess.tempDir("mctl-home")]

        let prompt = "say hello from the double\nbash echo yes > approved.txt\nbash echo no > denied.txt\nsay finished"
        let task = try await FabricEndToEndTests.task(server, key: key, session: session, prompt: prompt)

        // Approved through the API.
        let first = try await Self.pendingPermission(server, key: key, session: session)
        #expect(first["tool"] as? String == "Bash")
        #expect(first["action"] as? String == "echo yes > approved.txt")
        #expect(first["risk_level"] as? String == "critical")
        #expect(first["task_id"] as? String == task)
        #expect((first["context"] as? String)?.contains("\"input\"") == true)
        let firstID = try #require(first["id"] as? String)
        let fetched = try await HTTP.get(server.baseURL + "/api/v1/permissions/\(firstID)", key: key)
        #expect(fetched.json["status"] as? String == "pending" && fetched.json["original_request_id"] is String)
        let approved = try await HTTP.send(.POST, server.baseURL + "/api/v1/permissions/\(firstID)/approve", key: key)
        #expect(approved.status == 204, "\(approved.body)")

        // Denied through mctl, with a reason.
        let second = try await Self.pendingPermission(server, key: key, session: session)
        let secondID = try #require(second["id"] as? String)
        #expect(second["action"] as? String == "echo no > denied.txt")
        let listed = try await run(Self.mctl, ["permissions", "list", "--session", session], environment: mctlEnv)
        #expect(listed.status == 0 && listed.stdout.contains(secondID) && listed.stdout.contains("critical"), "\(listed.stdout)\(listed.stderr)")
        let denied = try await run(Self.mctl, ["permissions", "deny", secondID, "--reason", "not this one"], environment: mctlEnv)
        #expect(denied.status == 0 && denied.stdout.contains("Permission \(secondID) denied."), "\(denied.stderr)")

        let result = try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: task).follow()
        #expect(result.endStatus == "completed", "\(result.lines.map(\.content).joined(separator: "\n"))\n\(server.log.suffix(3000))")
        #expect(FileManager.default.fileExists(atPath: workspace + "/approved.txt"), "the approved command ran")
        #expect(!FileManager.default.fileExists(atPath: workspace + "/denied.txt"), "the denied command never ran")
        let kinds = Set(result.lines.compactMap { $0.metadata["event_kind"] })
        #expect(kinds.isSuperset(of: ["system", "text", "tool_use", "tool_result", "result"]), "\(kinds)")
        let denial = result.lines.first { $0.metadata["event_kind"] == "tool_result" && $0.content.contains("not this one") }
        #expect(denial?.level == "error", "the CLI got the operator's reason with the denial")
        let resultLine = try #require(result.lines.first { $0.metadata["event_kind"] == "result" })
        let resultObject = try #require(try JSONSerialization.jsonObject(with: Data(resultLine.content.utf8)) as? [String: Any])

        let runs = try await FabricEndToEndTests.runs(server, key: key, task: task)
        let firstRun = try #require(runs.first)
        #expect(firstRun["status"] as? String == "completed")
        #expect((firstRun["tokens_output"] as? Int ?? 0) > 0 && (firstRun["tokens_input"] as? Int ?? 0) > 0)
        #expect((firstRun["cost_usd"] as? Double) == resultObject["total_cost_usd"] as? Double)

        // Answered once, delivered once.
        try await Self.waitFor("delivery acknowledgements") {
            let a = try await HTTP.get(server.baseURL + "/api/v1/permissions/\(firstID)", key: key).json
            let b = try await HTTP.get(server.baseURL + "/api/v1/permissions/\(secondID)", key: key).json
            return a["delivered_at"] is String && b["delivered_at"] is String
        }
        let answeredFirst = try await HTTP.get(server.baseURL + "/api/v1/permissions/\(firstID)", key: key).json
        #expect(answeredFirst["status"] as? String == "approved" && (answeredFirst["responded_by"] as? String)?.hasPrefix("key_") == true)
        let shown = try await run(Self.mctl, ["permissions", "get", secondID], environment: mctlEnv)
        #expect(shown.stdout.contains("denied") && shown.stdout.contains("not this one"), "\(shown.stdout)")
        let again = try await HTTP.send(.POST, server.baseURL + "/api/v1/permissions/\(firstID)/deny", key: key)
        #expect(again.status == 409 && again.body.contains("already responded"))

        // A follow-up task resumes the conversation (the double recalls its first prompt).
        let followUp = try await FabricEndToEndTests.task(server, key: key, session: session, prompt: "recall")
        let recalled = try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: followUp).follow()
        #expect(recalled.endStatus == "completed")
        #expect(recalled.lines.contains { $0.content.contains("--resume=\(resultObject["session_id"] as? String ?? "?")") })
        #expect(recalled.lines.contains { $0.content.contains("first prompt: say hello from the double") })
        #expect(FileManager.default.fileExists(atPath: workspace + "/.marionette/agents/claude/projects"))

        // A CLI that exits cleanly without a result fails the run with a clear error.
        let crash = try await FabricEndToEndTests.task(server, key: key, session: session, prompt: "say partial\nexit 0")
        let crashed = try await FabricEndToEndTests.waitForStatus(server, key: key, task: crash, ["failed", "completed"])
        #expect(crashed["status"] as? String == "failed")
        let crashRuns = try await FabricEndToEndTests.runs(server, key: key, task: crash)
        #expect((crashRuns.first?["error"] as? String)?.hasPrefix("exited without emitting a result message") == true)
    }

    @Test func autoPolicyNeverAsks() async throws {
        let server = try ServerProcess(environment: Self.environment())
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let created = try await HTTP.send(
            .POST, server.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"claude","permission_policy":"auto"}"#)
        let session = try #require(created.json["id"] as? String)
        let task = try await FabricEndToEndTests.task(server, key: key, session: session, prompt: "bash echo auto")
        let done = try await FabricEndToEndTests.waitForStatus(server, key: key, task: task, ["completed", "failed"])
        #expect(done["status"] as? String == "completed")
        let all = try await HTTP.get(server.baseURL + "/api/v1/permissions?session_id=\(session)&status=pending&status=approved", key: key)
        #expect(all.json["total_count"] as? Int == 0, "\(all.body)")
    }

    @Test func unansweredRequestSuspendsAndTheAnswerResumes() async throws {
        let server = try ServerProcess(environment: Self.environment(suspendAfter: 2))
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let (session, workspace) = try await Self.session(server, key: key)
        let task = try await FabricEndToEndTests.task(server, key: key, session: session, prompt: "bash echo late > late.txt\nsay done")
        let request = try await Self.pendingPermission(server, key: key, session: session)
        let id = try #require(request["id"] as? String)
        #expect(request["suspend_after_seconds"] as? Int == 2)

        try await Self.waitFor("the session to suspend") {
            let now = try await HTTP.get(server.baseURL + "/api/v1/sessions/\(session)", key: key).json
            return now["status"] as? String == "suspended"
        }
        let suspended = try await HTTP.get(server.baseURL + "/api/v1/sessions/\(session)", key: key).json
        #expect(suspended["suspend_reason"] as? String == "permission_timeout")
        let still = try await HTTP.get(server.baseURL + "/api/v1/permissions/\(id)", key: key).json
        #expect(still["status"] as? String == "pending", "no auto-deny")
        #expect(!FileManager.default.fileExists(atPath: workspace + "/late.txt"))

        let approved = try await HTTP.send(.POST, server.baseURL + "/api/v1/permissions/\(id)/approve", key: key, json: #"{"reason":"go"}"#)
        #expect(approved.status == 204)
        let done = try await FabricEndToEndTests.waitForStatus(server, key: key, task: task, ["completed", "failed"], timeout: .seconds(90))
        #expect(done["status"] as? String == "completed", "\(server.log.suffix(4000))")
        #expect(FileManager.default.fileExists(atPath: workspace + "/late.txt"), "the answer reached the re-run task")
        let sessionNow = try await HTTP.get(server.baseURL + "/api/v1/sessions/\(session)", key: key).json
        #expect(sessionNow["status"] as? String == "active")
        try await Self.waitFor("delivery") {
            try await HTTP.get(server.baseURL + "/api/v1/permissions/\(id)", key: key).json["delivered_at"] is String
        }
        let pending = try await HTTP.get(server.baseURL + "/api/v1/permissions?session_id=\(session)", key: key)
        #expect(pending.json["total_count"] as? Int == 1, "the re-run used the stored answer instead of asking again")
    }
}

/// A bring-your-own key and a managed key (an agent config made with `mctl admin agent-configs`)
/// reach the agent CLI's environment and nothing else: not the server's or the runner's logs, not
/// the task's log lines, not the database (auth-security.md §6, §9, §14).
@Suite(.serialized) struct AgentSecretsEndToEndTests {
    @Test func byokKeyReachesTheCLIOnly() async throws {
        let server = try ServerProcess(environment: ClaudeEndToEndTests.environment())
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let secret = "sk-ant-byok-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let created = try await HTTP.send(
            .POST, server.baseURL + "/api/v1/sessions", key: key,
            json: #"{"agent":"claude","permission_policy":"auto","api_key":"\#(secret)"}"#)
        let session = try #require(created.json["id"] as? String, "\(created.body)")
        #expect(created.json["is_byok"] as? Bool == true)
        // The CLI proves it holds the key by printing its SHA-256, never the key.
        let task = try await FabricEndToEndTests.task(
            server, key: key, session: session, prompt: #"bash printf %s "$ANTHROPIC_API_KEY" | sha256sum"#)
        let result = try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: task).follow()
        #expect(result.endStatus == "completed", "\(result.lines.map(\.content))")
        let digest = try await run("/bin/sh", ["-c", "printf %s \"$0\" | sha256sum | cut -d' ' -f1", secret]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest.count == 64)
        #expect(result.lines.contains { $0.metadata["event_kind"] == "tool_result" && $0.content.contains(digest) }, "the key did not reach the CLI")
        #expect(result.lines.contains { $0.content.contains(#""apiKeySource":"ANTHROPIC_API_KEY""#) })
        #expect(!result.lines.contains { $0.content.contains(secret) })

        await server.stop()
        // Every file the server and its runners wrote: database (and WAL), runner logs, workspaces.
        let grep = try await run("/bin/grep", ["-r", "-l", "-a", "-F", secret, server.dataDir, server.logPath])
        #expect(grep.status == 1, "the key is stored in clear in: \(grep.stdout)")
        let files = try await run("/usr/bin/find", [server.dataDir, "-type", "f"])
        #expect(files.stdout.contains("marionette.db") && files.stdout.contains("/logs/"), "nothing was searched:\n\(files.stdout)")
    }

    @Test func managedKeyReachesTheCLIOnly() async throws {
        let server = try ServerProcess(environment: ClaudeEndToEndTests.environment())
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let password = try #require(server.adminPassword)
        // Embedded mode made its encryption key: 0600, and only its path is logged.
        let keyFile = server.dataDir + "/encryption.key"
        let kek = try #require(try? String(contentsOfFile: keyFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(kek.count == 64)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(server.log.contains(keyFile) && !server.log.contains(kek))

        let secret = "sk-ant-managed-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let secretFile = ServerProcess.tempDir("managed-key") + "/key"
        try secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        let env = ["HOME": ServerProcess.tempDir("mctl-admin"), "MARIONETTE_API_URL": server.baseURL]
        let admin = ["--admin-server", server.adminURL, "--admin-username", "admin", "--admin-password", password]
        let created = try await run(
            ClaudeEndToEndTests.mctl,
            ["admin", "agent-configs", "create", "--name", "team", "--agent", "claude", "--api-key", "@" + secretFile,
             "--model", "claude-sonnet-4-5", "--default", "-o", "json"] + admin,
            environment: env)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(!created.stdout.contains(secret))
        let config = try #require(
            (try? JSONSerialization.jsonObject(with: Data(created.stdout.utf8))) as? [String: Any], "\(created.stdout)")
        let configID = try #require(config["id"] as? String)
        try FileManager.default.removeItem(atPath: secretFile)
        let shown = try await run(ClaudeEndToEndTests.mctl, ["admin", "agent-configs", "get", configID] + admin, environment: env)
        #expect(shown.status == 0 && shown.stdout.contains("claude-sonnet-4-5") && !shown.stdout.contains(secret))

        // The session names neither key nor config: the agent's default config is used.
        let session = try await HTTP.send(
            .POST, server.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"claude","permission_policy":"auto"}"#)
        let sessionID = try #require(session.json["id"] as? String, "\(session.body)")
        #expect(session.json["agent_config_id"] as? String == configID)
        #expect(session.json["is_byok"] as? Bool == false)
        let task = try await FabricEndToEndTests.task(
            server, key: key, session: sessionID, prompt: #"bash printf %s "$ANTHROPIC_API_KEY" | sha256sum"#)
        let result = try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: task).follow()
        #expect(result.endStatus == "completed", "\(result.lines.map(\.content))")
        let digest = try await run("/bin/sh", ["-c", "printf %s \"$0\" | sha256sum | cut -d' ' -f1", secret]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(result.lines.contains { $0.metadata["event_kind"] == "tool_result" && $0.content.contains(digest) }, "the managed key did not reach the CLI")
        #expect(!result.lines.contains { $0.content.contains(secret) })

        await server.stop()
        let grep = try await run("/bin/grep", ["-r", "-l", "-a", "-F", secret, server.dataDir, server.logPath])
        #expect(grep.status == 1, "the managed key is stored in clear in: \(grep.stdout)")
        let files = try await run("/usr/bin/find", [server.dataDir, "-type", "f"])
        #expect(files.stdout.contains("marionette.db") && files.stdout.contains("/logs/"), "nothing was searched:\n\(files.stdout)")

        // A restart opens the same key from the same file: the next session still gets it.
        let restarted = try server.restarted()
        defer { restarted.stopNow() }
        try await restarted.waitUntilReady()
        let again = try await HTTP.send(
            .POST, restarted.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"claude","permission_policy":"auto"}"#)
        let againID = try #require(again.json["id"] as? String, "\(again.body)")
        // This time the CLI prints the key itself: the runner uploads "[redacted]" in its place.
        let second = try await FabricEndToEndTests.task(
            restarted, key: key, session: againID, prompt: #"bash printf 'key=%s' "$ANTHROPIC_API_KEY""#)
        let secondResult = try await LogFollower(baseURL: { restarted.baseURL }, key: key, taskID: second).follow()
        #expect(secondResult.endStatus == "completed", "\(secondResult.lines.map(\.content))")
        #expect(secondResult.lines.contains { $0.metadata["event_kind"] == "tool_result" && $0.content.contains("key=[redacted]") },
                "\(secondResult.lines.map(\.content))")
        #expect(!secondResult.lines.contains { $0.content.contains(secret) })
        await restarted.stop()
        // The CLI's own transcript in the workspace holds what its tool printed (the user asked for
        // it); the store and every log must not.
        let grepAgain = try await run(
            "/bin/grep", ["-r", "-l", "-a", "-F", "--exclude-dir=workspaces", secret, server.dataDir, server.logPath])
        #expect(grepAgain.status == 1, "the managed key is stored in clear in: \(grepAgain.stdout)")
    }
}
