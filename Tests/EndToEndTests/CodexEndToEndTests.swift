import Foundation
import Testing

/// `agent: "codex"` sessions end to end with the Codex CLI test double (Tests/Doubles/codex/codex):
/// exec mode for `permission_policy: auto` with resume of the thread by the next task, and
/// app-server mode for `ask` sessions, whose approval requests are answered through the API.
@Suite(.serialized) struct CodexEndToEndTests {
    static let double = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Doubles/codex/codex").path

    @Test func execModeRunsAndResumes() async throws {
        let server = try ServerProcess(environment: ["MARIONETTE_HEARTBEAT_INTERVAL": "1s", "MARIONETTE_CODEX_BIN": Self.double])
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let created = try await HTTP.send(
            .POST, server.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"codex","permission_policy":"auto"}"#)
        let session = try #require(created.json["id"] as? String, "\(created.body)")
        let workspace = server.dataDir + "/workspaces/" + (created.json["workspace_id"] as? String ?? "?")

        let task = try await FabricEndToEndTests.task(server, key: key, session: session, prompt: "say hi\nbash echo ran > ran.txt")
        let result = try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: task).follow()
        #expect(result.endStatus == "completed", "\(result.lines.map(\.content))\n\(server.log.suffix(2000))")
        #expect(FileManager.default.fileExists(atPath: workspace + "/ran.txt"))
        #expect(Set(result.lines.compactMap { $0.metadata["event_kind"] }).isSuperset(of: ["text", "tool_use", "tool_result", "usage"]))
        let run = try #require(try await FabricEndToEndTests.runs(server, key: key, task: task).first)
        #expect((run["tokens_input"] as? Int ?? 0) > 0 && (run["tokens_output"] as? Int ?? 0) > 0)
        #expect(run["cost_usd"] == nil, "Codex cost is unknown without a price table, never $0.00")

        let followUp = try await FabricEndToEndTests.task(server, key: key, session: session, prompt: "recall")
        let recalled = try await LogFollower(baseURL: { server.baseURL }, key: key, taskID: followUp).follow()
        #expect(recalled.endStatus == "completed")
        #expect(recalled.lines.contains { $0.content.contains("exec resume ") })
        #expect(recalled.lines.contains { $0.content.contains("first prompt: say hi") })

        // An `ask` session runs codex app-server: its approval request is a permission request.
        let ask = try await HTTP.send(.POST, server.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"codex"}"#)
        let askSession = try #require(ask.json["id"] as? String)
        let askWorkspace = server.dataDir + "/workspaces/" + (ask.json["workspace_id"] as? String ?? "?")
        let gated = try await FabricEndToEndTests.task(server, key: key, session: askSession, prompt: "bash echo asked > asked.txt")
        let request = try await ClaudeEndToEndTests.pendingPermission(server, key: key, session: askSession)
        #expect(request["tool"] as? String == "command_execution" && request["risk_level"] as? String == "high")
        #expect(request["action"] as? String == "echo asked > asked.txt")
        #expect(!FileManager.default.fileExists(atPath: askWorkspace + "/asked.txt"), "nothing runs before the answer")
        let id = try #require(request["id"] as? String)
        let approved = try await HTTP.send(.POST, server.baseURL + "/api/v1/permissions/\(id)/approve", key: key)
        #expect(approved.status == 204)
        let done = try await FabricEndToEndTests.waitForStatus(server, key: key, task: gated, ["failed", "completed"])
        #expect(done["status"] as? String == "completed", "\(server.log.suffix(2000))")
        #expect(FileManager.default.fileExists(atPath: askWorkspace + "/asked.txt"))
    }
}
