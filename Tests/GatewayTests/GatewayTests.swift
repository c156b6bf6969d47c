import Core
import Foundation
import Gateway
import HTTPTypes
import Orchestrator
import Testing
import Yams

@Suite struct PublicAPITests {
    @Test func healthAndReadiness() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { c in
            let health = try await c.send(.get, "/health", auth: .some(nil))
            #expect(health.status == 200)
            #expect(health.body == #"{"status":"ok"}"#)
            #expect(try await c.send(.get, "/healthz", auth: .some(nil)).status == 200)
            let ready = try await c.send(.get, "/health/ready", auth: .some(nil))
            #expect(ready.status == 200)
            #expect((ready.json["checks"] as? [String: Any])?["database"] != nil)
        }
    }

    @Test func sessionAndTaskLifecycleOverHTTP() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { c in
            let created = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command","name":"demo","labels":{"team":"a"}}"#)
            #expect(created.status == 201)
            let sid = try #require(created.json["id"] as? String)
            #expect(ID.isValid(sid, prefix: .session))
            #expect(created.json["tenant_id"] == nil)
            #expect(created.json["context_snapshot"] == nil)
            #expect((created.json["allowed_hosts"] as? [Any])?.isEmpty == true)

            let task = try await c.send(.post, "/api/v1/sessions/\(sid)/tasks", json: #"{"prompt":"echo hi"}"#)
            #expect(task.status == 201)
            let tid = try #require(task.json["id"] as? String)
            let viaTop = try await c.send(.post, "/api/v1/tasks", json: #"{"session_id":"\#(sid)","prompt":"echo 2"}"#)
            #expect(viaTop.status == 201)

            let list = try await c.send(.get, "/api/v1/tasks?session_id=\(sid)&status=pending&limit=1")
            #expect(list.json["total_count"] as? Int == 2)
            #expect(list.json["has_more"] as? Bool == true)
            let cursor = try #require(list.json["next_cursor"] as? String)
            let next = try await c.send(.get, "/api/v1/tasks?session_id=\(sid)&limit=1&cursor=\(cursor)")
            #expect(((next.json["items"] as? [[String: Any]])?.first?["id"] as? String) == tid)
            #expect(next.json["next_cursor"] == nil)

            #expect(try await c.send(.get, "/api/v1/tasks/\(tid)").json["prompt"] as? String == "echo hi")
            #expect(try await c.send(.get, "/api/v1/tasks/\(tid)/runs").json["total_count"] as? Int == 0)
            #expect(try await c.send(.get, "/api/v1/tasks/\(tid)/logs").json["items"] as? [Any] != nil)
            #expect(try await c.send(.post, "/api/v1/tasks/\(tid)/execute").code == "no_runner")
            #expect(try await c.send(.post, "/api/v1/tasks/\(tid)/cancel").status == 204)
            #expect(try await c.send(.post, "/api/v1/tasks/\(tid)/cancel").status == 409)
            #expect(try await c.send(.post, "/api/v1/tasks/\(tid)/retry").code == "invalid_state")

            let labelled = try await c.send(.get, "/api/v1/sessions?labels%5Bteam%5D=a&status=pending")
            #expect(labelled.json["total_count"] as? Int == 1)
            let patched = try await c.send(.patch, "/api/v1/sessions/\(sid)", json: #"{"name":"renamed"}"#)
            #expect(patched.json["name"] as? String == "renamed")
            #expect(try await c.send(.post, "/api/v1/sessions/\(sid)/suspend").code == "invalid_state")
            #expect(try await c.send(.delete, "/api/v1/sessions/\(sid)").status == 204)
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)").json["status"] as? String == "terminated")
            #expect(try await c.send(.post, "/api/v1/sessions/\(sid)/tasks", json: #"{"prompt":"x"}"#).status == 409)
        }
    }

    @Test func workspacesCRUD() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { c in
            let ws = try await c.send(.post, "/api/v1/workspaces", json: #"{"name":"repo","disk_quota_mb":100}"#)
            #expect(ws.status == 201)
            let id = try #require(ws.json["id"] as? String)
            #expect(try await c.send(.post, "/api/v1/workspaces", json: #"{"name":"repo"}"#).code == "already_exists")
            #expect(try await c.send(.post, "/api/v1/workspaces", json: #"{"name":"../x"}"#).code == "invalid_name")
            let session = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command","workspace_id":"\#(id)"}"#)
            #expect(session.json["workspace_id"] as? String == id)
            #expect(try await c.send(.delete, "/api/v1/workspaces/\(id)").code == "in_use")
            _ = try await c.send(.delete, "/api/v1/sessions/\(session.json["id"] as! String)")
            #expect(try await c.send(.patch, "/api/v1/workspaces/\(id)", json: #"{"persist":false}"#).json["persist"] as? Bool == false)
            #expect(try await c.send(.delete, "/api/v1/workspaces/\(id)").status == 204)
            let gone = try await c.send(.get, "/api/v1/workspaces/\(id)")
            #expect(gone.status == 410)
            #expect(gone.code == "deleted")
        }
    }

    @Test func badInputGetsTheSpecErrorsNeverA500() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { c in
            var r = try await c.send(.post, "/api/v1/sessions", json: "{nope")
            #expect(r.status == 400)
            #expect(r.code == "invalid_json")
            #expect(r.json["message"] is String)
            #expect(r.json["error"] == nil)

            r = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command","idle_timeout_seconds":"soon"}"#)
            #expect(r.code == "validation_error")
            #expect((r.json["details"] as? [String: String])?["field"] == "idle_timeout_seconds")

            r = try await c.send(.post, "/api/v1/sessions", json: #"["agent"]"#)
            #expect(r.code == "invalid_json")

            r = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command","surprise":{"x":1}}"#)
            #expect(r.status == 201)

            r = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command","labels":{"k":1}}"#)
            #expect(r.code == "validation_error")

            let huge = #"{"agent":"command","name":""# + String(repeating: "x", count: 1 << 20) + #""}"#
            r = try await c.send(.post, "/api/v1/sessions", json: huge)
            #expect(r.status == 413)
            #expect(r.code == "payload_too_large")

            r = try await c.send(.get, "/api/v1/sessions?cursor=%%%")
            #expect(r.code == "invalid_cursor")
            r = try await c.send(.get, "/api/v1/sessions?cursor=bm90LWEtY3Vyc29y")
            #expect(r.code == "invalid_cursor")
            r = try await c.send(.get, "/api/v1/sessions?status=sleeping")
            #expect(r.code == "validation_error")
            r = try await c.send(.get, "/api/v1/sessions?limit=-5")
            #expect(r.status == 200)
            r = try await c.send(.get, "/api/v1/sessions/task_AAAAAAAA00000000")
            #expect(r.status == 404)
            #expect(r.code == "not_found")
            r = try await c.send(.get, "/api/v1/sessions/sess_AAAAAAAA00000000")
            #expect(r.json["message"] as? String == #"session "sess_AAAAAAAA00000000" not found"#)
            r = try await c.send(.get, "/api/v1/tasks/x/logs?after_sequence=abc")
            #expect(r.status == 404)
            r = try await c.send(.get, "/api/v1/nothing-here")
            #expect(r.status == 404)
            r = try await c.send(.post, "/api/v1/tasks", json: #"{"prompt":"x"}"#)
            #expect(r.json["message"] as? String == "session_id is required")
        }
    }

    @Test func authenticationFailuresAndScopes() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let reader = try await h.services.apiKeys.create(
            CreateAPIKeyRequest(name: "reader", scopes: ["sessions:read"]), createdBy: nil)
        try await h.api { c in
            var r = try await c.send(.get, "/api/v1/sessions", auth: .some(nil))
            #expect(r.status == 401)
            #expect(r.code == "missing_auth")
            #expect(r.headers[.wwwAuthenticate] == #"Bearer realm="Marionette""#)
            r = try await c.send(.get, "/api/v1/sessions", auth: "Token abc")
            #expect(r.code == "invalid_auth")
            r = try await c.send(.get, "/api/v1/sessions", auth: "Bearer rtok_" + String(repeating: "a", count: 43))
            #expect(r.code == "invalid_token")
            r = try await c.send(.get, "/api/v1/sessions", auth: "Bearer " + Tokens.mint(.apiKey).raw)
            #expect(r.code == "token_not_found")
            r = try await c.send(.get, "/api/v1/sessions", auth: "bearer \(reader.rawToken)")
            #expect(r.status == 200)
            r = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#, auth: "Bearer \(reader.rawToken)")
            #expect(r.status == 403)
            #expect(r.json["message"] as? String == "Insufficient permissions: requires scope sessions:write")
            r = try await c.send(.get, "/api/v1/tasks", auth: "Bearer \(reader.rawToken)")
            #expect(r.code == "forbidden")
            // ?token= only where browsers need it, never on plain JSON routes.
            r = try await c.send(.get, "/api/v1/sessions?token=\(reader.rawToken)", auth: .some(nil))
            #expect(r.code == "missing_auth")
        }
        try await h.services.apiKeys.revoke(reader.key.id, reason: nil)
        h.services.authenticator.invalidate()
        try await h.api { c in
            let r = try await c.send(.get, "/api/v1/sessions", auth: "Bearer \(reader.rawToken)")
            #expect(r.code == "token_revoked")
        }
    }

    @Test func requestIDsAndCORS() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { c in
            var r = try await c.send(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: "abc-123"])
            #expect(r.headers[HTTPField.Name("X-Request-ID")!] == "abc-123")
            r = try await c.send(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: "bad id!"])
            #expect(r.headers[HTTPField.Name("X-Request-ID")!]?.hasPrefix("req_") == true)
            r = try await c.send(
                .options, "/api/v1/sessions", auth: .some(nil),
                headers: [.origin: "http://localhost:5173", .accessControlRequestMethod: "POST"])
            #expect(r.status == 204)
            #expect(r.headers[.accessControlAllowOrigin] == "http://localhost:5173")
            r = try await c.send(.get, "/health", headers: [.origin: "https://evil.example"])
            #expect(r.headers[.accessControlAllowOrigin] == nil)
        }
    }

    /// The OpenAPI document covers exactly the routes the router serves.
    @Test func openAPIMatchesTheRouter() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let servedBox = ServedText()
        try await h.api { c in
            let r = try await c.send(.get, "/openapi.yaml", auth: .some(nil))
            #expect(r.status == 200)
            #expect(r.headers[.contentType] == "application/yaml")
            servedBox.set(r.body)
        }
        let document = try #require(try Yams.load(yaml: servedBox.get()) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var documented = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any])?.keys ?? [:].keys
            where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let routed = Set(GatewayBuilder.publicRouter(h.services).1.map(\.description))
        #expect(routed.subtracting(documented).isEmpty, "routes missing from openapi.yaml")
        #expect(documented.subtracting(routed).isEmpty, "openapi.yaml documents routes the router lacks")
    }
}

@Suite struct AdminAPITests {
    @Test func keysNeedAdminCredentialsAndWork() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.admin { c in
            var r = try await c.send(.get, "/admin/api/v1/keys", auth: .some(nil))
            #expect(r.status == 401)
            #expect(r.code == "unauthorized")
            #expect(r.headers[.wwwAuthenticate] == #"Basic realm="Marionette Admin""#)
            r = try await c.send(.get, "/admin/api/v1/keys", auth: "Bearer \(h.key)")
            #expect(r.status == 401)
            #expect(try await c.send(.get, "/health", auth: .some(nil)).json["service"] as? String == "marionette-admin")

            r = try await c.send(.post, "/admin/api/v1/keys", json: #"{"name":"ci","scopes":["tasks:*"],"labels":{"env":"ci"}}"#)
            #expect(r.status == 201)
            let raw = try #require(r.json["raw_token"] as? String)
            #expect(raw.hasPrefix("mk_"))
            let key = try #require(r.json["key"] as? [String: Any])
            let id = try #require(key["id"] as? String)
            #expect(key["key_hash"] == nil)
            #expect(try await c.send(.get, "/admin/api/v1/keys?labels=env=ci").json["total_count"] as? Int == 1)
            #expect(try await c.send(.get, "/admin/api/v1/keys/\(id)").json["name"] as? String == "ci")
            #expect(try await c.send(.post, "/admin/api/v1/keys", json: #"{"scopes":["*"]}"#).code == "validation_error")
            #expect(try await c.send(.post, "/admin/api/v1/keys", json: #"{"name":"x","scopes":["everything"]}"#).code == "validation_error")
            #expect(try await c.send(.delete, "/admin/api/v1/keys/\(id)", json: #"{"reason":"leaked"}"#).status == 204)
            #expect(try await c.send(.get, "/admin/api/v1/keys").json["total_count"] as? Int == 1)
            #expect(try await c.send(.get, "/admin/api/v1/keys?include_revoked=true").json["total_count"] as? Int == 2)
            #expect(try await c.send(.get, "/admin/api/v1/keys/key_AAAAAAAA00000000").status == 404)
        }
    }
}

import Synchronization

final class ServedText: Sendable {
    private let value = Mutex("")
    func set(_ text: String) { value.withLock { $0 = text } }
    func get() -> String { value.withLock { $0 } }
}
