import Core
import Foundation
import Orchestrator
import Testing

@testable import Gateway

/// `/admin/api/v1/agent-configs` (api.md §13.2): CRUD through the real admin router, the key
/// accepted but never answered or audited, and 503 without an encryption key.
@Suite struct AdminAgentConfigTests {
    @Test func crudNeverShowsTheKey() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let secret = "sk-ant-admin-" + UUID().uuidString
        try await h.admin { admin in
            let created = try await admin.send(
                .post, "/admin/api/v1/agent-configs",
                json: #"{"name":"claude-team","agent":"claude","api_key":"\#(secret)","model":"claude-sonnet-4-5","base_url":"https://api.anthropic.com","extra":{"system_prompt":"Be brief","allowed_tools":["Bash"]},"is_default":true,"labels":{"team":"docs"}}"#)
            #expect(created.status == 201, "\(created.body)")
            #expect(!created.body.contains(secret) && !created.body.contains("api_key"), "\(created.body)")
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("acfg_"))
            #expect(created.json["is_default"] as? Bool == true)
            #expect((created.json["extra"] as? [String: Any])?["allowed_tools"] as? [String] == ["Bash"])

            let got = try await admin.send(.get, "/admin/api/v1/agent-configs/\(id)")
            #expect(got.status == 200 && !got.body.contains(secret))
            let list = try await admin.send(.get, "/admin/api/v1/agent-configs?agent=claude&labels=team=docs")
            #expect((list.json["items"] as? [[String: Any]])?.count == 1 && !list.body.contains(secret))
            #expect((try await admin.send(.get, "/admin/api/v1/agent-configs?agent=codex").json["items"] as? [Any])?.isEmpty == true)

            let updated = try await admin.send(
                .put, "/admin/api/v1/agent-configs/\(id)", json: #"{"api_key":"\#(secret)-2","model":"claude-opus-4"}"#)
            #expect(updated.status == 200 && updated.json["model"] as? String == "claude-opus-4")
            #expect(!updated.body.contains(secret))

            #expect(try await admin.send(.post, "/admin/api/v1/agent-configs", json: #"{"name":"x","agent":"claude"}"#).code == "validation_error")
            #expect(try await admin.send(.post, "/admin/api/v1/agent-configs", json: #"{"name":"claude-team","agent":"claude","api_key":"k"}"#).code == "name_exists")
            #expect(try await admin.send(.post, "/admin/api/v1/agent-configs", json: #"{"name":"y","agent":"claude","api_key":"k","base_url":"ftp://x"}"#).status == 400)
            #expect(try await admin.send(.get, "/admin/api/v1/agent-configs/acfg_nope").status == 404)

            // Sessions may reference it (same agent) and get it by default.
            try await h.api { api in
                let session = try await api.send(.post, "/api/v1/sessions", json: #"{"agent":"claude"}"#)
                #expect(session.json["agent_config_id"] as? String == id, "\(session.body)")
                #expect(session.json["is_byok"] as? Bool == false)
                let wrongAgent = try await api.send(.post, "/api/v1/sessions", json: #"{"agent":"codex","agent_config_id":"\#(id)"}"#)
                #expect(wrongAgent.status == 400)
            }

            #expect(try await admin.send(.delete, "/admin/api/v1/agent-configs/\(id)").status == 204)
            #expect(try await admin.send(.get, "/admin/api/v1/agent-configs/\(id)").status == 404)

            // The audit log has create, update and delete, and never the key.
            let audit = try await admin.send(.get, "/admin/api/v1/action-logs?resource_type=agent_config&action_prefix=config.&limit=100")
            let actions = (audit.json["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(Set(actions) == ["config.created", "config.updated", "config.deleted"], "\(audit.body)")
            let everything = try await admin.send(.get, "/admin/api/v1/action-logs?limit=100")
            #expect(!everything.body.contains(secret), "\(everything.body)")
            let details = (everything.json["items"] as? [[String: Any]])?.compactMap { $0["details"] as? [String: Any] } ?? []
            #expect(!details.isEmpty && details.allSatisfy { $0["api_key"] == nil }, "\(everything.body)")
        }
        // Not in the database file in clear either.
        let grep = Process()
        grep.executableURL = URL(fileURLWithPath: "/bin/grep")
        grep.arguments = ["-r", "-l", "-a", "-F", secret, h.dir]
        grep.standardOutput = FileHandle.nullDevice
        try grep.run()
        grep.waitUntilExit()
        #expect(grep.terminationStatus == 1, "the key is stored in clear under \(h.dir)")
    }

    @Test func withoutAnEncryptionKeyCreatingIs503() async throws {
        let h = try await GatewayHarness.make(encrypted: false)
        defer { Task { await h.close() } }
        try await h.admin { admin in
            let reply = try await admin.send(
                .post, "/admin/api/v1/agent-configs", json: #"{"name":"x","agent":"claude","api_key":"sk-x"}"#)
            #expect(reply.status == 503 && reply.code == "service_unavailable", "\(reply.body)")
            #expect(reply.json["message"] as? String == "encryption key not configured")
            let hook = try await admin.send(
                .post, "/admin/api/v1/webhooks", json: #"{"name":"h","url":"https://example.com/h","events":["*"]}"#)
            #expect(hook.status == 503 && hook.code == "service_unavailable", "\(hook.body)")
            #expect(try await admin.send(.get, "/admin/api/v1/agent-configs").status == 200)
        }
    }
}
