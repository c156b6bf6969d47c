import Core
import Foundation
import Gateway
import Orchestrator
import Synchronization
import Testing

/// The admin listener's web UI, its `/api/v1` forward and `GET /api/status` (api.md §13.1).
@Suite struct AdminUITests {
    @Test func forwardNeedsAdminCredentialsAndSeesEveryTenant() async throws {
        let base = try await GatewayHarness.make()
        defer { Task { await base.close() } }
        let h = base.multiTenant()
        // One key per tenant, each creating a session through the public listener.
        let keys = Mutex<[String]>([])
        try await h.admin { c in
            for tenant in ["t-one", "t-two"] {
                let r = try await c.send(.post, "/admin/api/v1/keys", json: #"{"name":"\#(tenant)","scopes":["*"],"tenant_id":"\#(tenant)"}"#)
                #expect(r.status == 201)
                let raw = try #require(r.json["raw_token"] as? String)
                keys.withLock { $0.append(raw) }
            }
        }
        let tenantKeys = keys.withLock { $0 }
        try await h.api { c in
            for key in tenantKeys {
                let bearer = "Bearer \(key)"
                let created = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#, auth: bearer)
                #expect(created.status == 201)
                let listed = try await c.send(.get, "/api/v1/sessions", auth: bearer)
                #expect(listed.json["total_count"] as? Int == 1)
            }
        }
        try await h.admin { c in
            // No credentials, or an API key (not an admin credential): 401 with the Basic challenge.
            var r = try await c.send(.get, "/api/v1/sessions", auth: .some(nil))
            #expect(r.status == 401)
            #expect(r.headers[.wwwAuthenticate] == #"Basic realm="Marionette Admin""#)
            r = try await c.send(.get, "/api/v1/sessions", auth: "Bearer \(tenantKeys[0])")
            #expect(r.status == 401)
            // The admin sees both tenants' sessions, and may act on them.
            r = try await c.send(.get, "/api/v1/sessions")
            #expect(r.status == 200)
            #expect(r.json["total_count"] as? Int == 2)
            let items = try #require(r.json["items"] as? [[String: Any]])
            let id = try #require(items.first?["id"] as? String)
            #expect(try await c.send(.post, "/api/v1/sessions/\(id)/tasks", json: #"{"prompt":"echo hi"}"#).status == 201)
            #expect(try await c.send(.get, "/api/v1/tasks").json["total_count"] as? Int == 1)
            #expect(try await c.send(.delete, "/api/v1/sessions/\(id)").status == 204)
            // An unknown API path stays a JSON 404 (never the UI page).
            r = try await c.send(.get, "/api/v1/no-such-route")
            #expect(r.status == 404)
            #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test func webUIIsServedBehindAdminAuthWithIndexFallback() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.admin { c in
            var r = try await c.send(.get, "/", auth: .some(nil))
            #expect(r.status == 401)
            #expect(r.headers[.wwwAuthenticate] == #"Basic realm="Marionette Admin""#)
            #expect(try await c.send(.get, "/js/app.js", auth: .some(nil)).status == 401)

            r = try await c.send(.get, "/")
            #expect(r.status == 200)
            #expect(r.headers[.contentType] == "text/html; charset=utf-8")
            #expect(r.body.contains(#"<script type="module" src="/js/app.js"></script>"#))
            #expect(r.headers[.init("Content-Security-Policy")!]?.hasPrefix("default-src 'self'") == true)
            // A page path the client-side router draws gets index.html.
            let page = try await c.send(.get, "/sessions/sess_AAAAAAAAAAAAAAAA")
            #expect(page.status == 200)
            #expect(page.body == r.body)
            r = try await c.send(.get, "/js/pages/task.js")
            #expect(r.status == 200)
            #expect(r.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(r.body.contains("export async function render"))
            // Admin API paths keep their JSON errors.
            r = try await c.send(.get, "/admin/api/v1/no-such-route")
            #expect(r.status == 404)
            #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
            // The stream viewer page is served by this origin too (the UI embeds it).
            r = try await c.send(.get, "/streams/strm_AAAAAAAAAAAAAAAA/view", auth: .some(nil))
            #expect(r.status == 200)
            #expect(r.body.contains("/web/viewer.js"))
        }
    }

    @Test func statusReportsEveryServiceAndAFailingStore() async throws {
        var config = ServerConfig()
        config.apiPort = 18_080
        config.adminPort = 18_081
        let h = try await GatewayHarness.make(config: config)
        defer { Task { await h.close() } }  // closing twice is harmless
        try await h.admin { c in
            let r = try await c.send(.get, "/api/status", auth: .some(nil))
            #expect(r.status == 200)
            let services = try #require(r.json["services"] as? [[String: Any]])
            #expect(services.map { $0["name"] as? String } == ["Database", "Public API", "Admin API", "gRPC", "Metrics", "SFU"])
            let byName = Dictionary(uniqueKeysWithValues: services.map { ($0["name"] as? String ?? "", $0) })
            #expect(byName["Database"]?["status"] as? String == "ok")
            #expect(byName["Admin API"]?["status"] as? String == "ok")
            #expect(byName["Admin API"]?["port"] as? Int == 18_081)
            #expect(byName["Public API"]?["port"] as? Int == 18_080)
            // Nothing listens on the public port in this router test: reported as an error with a reason.
            #expect(byName["Public API"]?["status"] as? String == "error")
            #expect((byName["Public API"]?["message"] as? String)?.contains("18080") == true)
            #expect(byName["SFU"]?["status"] as? String == "unknown")
            for service in services {
                #expect(["ok", "error", "unknown"].contains(service["status"] as? String ?? ""))
            }
        }
        // The store goes away: the database line turns to an error with a message.
        await h.services.store.database.close()
        try await h.admin { c in
            let r = try await c.send(.get, "/api/status", auth: .some(nil))
            #expect(r.status == 200)
            let services = try #require(r.json["services"] as? [[String: Any]])
            let database = try #require(services.first { $0["name"] as? String == "Database" })
            #expect(database["status"] as? String == "error")
            #expect((database["message"] as? String)?.isEmpty == false)
        }
    }

    /// The task log WebSocket on the admin origin takes a one-time admin ticket (the browser cannot
    /// send Basic credentials on a WebSocket), not an API key; a ticket opens one socket.
    @Test func logWebSocketOnTheAdminOriginTakesATicket() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.liveAdmin { c in
            let session = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#)
            let sessionID = try #require(session.json["id"] as? String)
            let task = try await c.send(.post, "/api/v1/sessions/\(sessionID)/tasks", json: #"{"prompt":"echo hi"}"#)
            let taskID = try #require(task.json["id"] as? String)
            // A terminal task's log replays and ends, so the socket closes by itself.
            #expect(try await c.send(.post, "/api/v1/tasks/\(taskID)/cancel").status == 204)
            let ticket = try #require(try await c.send(.post, "/admin/api/v1/ws-tickets").json["ticket"] as? String)
            let closed = Mutex(false)
            try await c.inner.ws("/api/v1/logs/\(taskID)/stream?ticket=\(ticket)") { inbound, _, _ in
                for try await _ in inbound.messages(maxSize: 1 << 20) {}
                closed.withLock { $0 = true }
            }
            #expect(closed.withLock { $0 })
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/api/v1/logs/\(taskID)/stream?ticket=\(ticket)") { _, _, _ in Issue.record("a used ticket upgraded") }
            }
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/api/v1/logs/\(taskID)/stream?token=\(h.key)") { _, _, _ in Issue.record("an API key upgraded on the admin origin") }
            }
        }
    }
}
