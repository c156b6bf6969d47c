import Core
import Foundation
import Logging
import Orchestrator
import Synchronization
import Testing

@testable import Gateway

/// The audit log (auth-security.md §14): committed changes with the actor of the request that made
/// them, failed state-changing requests, admin actions, and the admin query's filters.
@Suite struct AuditLogTests {
    @Test func changesFailuresAndAdminActionsAreLoggedWithTheirActors() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let recorder = Task { try await AuditRecorder(store: h.services.store, logger: Logger(label: "test")).run() }
        defer { recorder.cancel() }
        while h.services.store.events.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let box = Mutex<String>("")
        try await h.api { api in
            let created = try await api.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#)
            let id = try #require(created.json["id"] as? String)
            box.withLock { $0 = id }
            let emptyAgent = try await api.send(.post, "/api/v1/sessions", json: #"{"agent":""}"#)
            #expect(emptyAgent.status == 400)
            let noPrompt = try await api.send(.post, "/api/v1/sessions/\(id)/tasks", json: #"{}"#)
            #expect(noPrompt.status == 400)
        }
        let sessionID = box.withLock { $0 }
        let keyID = try #require(try await h.services.authenticator.authenticate(h.key).keyID)
        try await h.admin { admin in
            let key = try await admin.send(.post, "/admin/api/v1/keys", json: #"{"name":"ci","scopes":["sessions:read"]}"#)
            #expect(key.status == 201)

            func items(_ query: String) async throws -> [[String: Any]] {
                let reply = try await admin.send(.get, "/admin/api/v1/action-logs?\(query)")
                #expect(reply.status == 200, "\(query): \(reply.body)")
                return reply.json["items"] as? [[String: Any]] ?? []
            }
            // The session's creation, written by the recorder from the event, carries the key.
            var created: [[String: Any]] = []
            for _ in 0..<100 where created.isEmpty {
                created = try await items("action=session.created")
                if created.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            }
            let entry = try #require(created.first)
            #expect(entry["actor_type"] as? String == "api_key" && entry["actor_id"] as? String == keyID)
            #expect(entry["resource_type"] as? String == "session" && entry["resource_id"] as? String == sessionID)
            #expect(entry["session_id"] as? String == sessionID && entry["success"] as? Bool == true)
            #expect((entry["details"] as? [String: Any])?["agent"] as? String == "command")

            // Failed requests: two, with their status and code.
            let failures = try await items("success=false&actor_type=api_key")
            #expect(failures.count == 2)
            #expect(failures.allSatisfy { $0["action"] as? String == "request.failed" && $0["error_message"] as? String != nil })
            #expect(failures.contains { ($0["details"] as? [String: Any])?["code"] as? String == "validation_error" })
            #expect(failures.contains { $0["resource_type"] as? String == "session" && $0["resource_id"] as? String == sessionID })

            // The admin's key creation: actor user "admin"; action_prefix takes "_" literally.
            // (The bootstrap key's creation is there too, by the system.)
            let keys = try await items("action_prefix=api_key.&actor_type=user")
            #expect(keys.count == 1 && keys.first?["actor_name"] as? String == "admin")
            #expect(try await items("action=api_key.created&actor_type=system").count == 1)
            #expect(try await items("action_prefix=api%25key.").isEmpty)
            let logID = try #require(keys.first?["id"] as? String)
            #expect(try await admin.send(.get, "/admin/api/v1/action-logs/\(logID)").json["action"] as? String == "api_key.created")
            #expect(try await items("from=2999-01-01T00:00:00Z").isEmpty)
            #expect(try await admin.send(.get, "/admin/api/v1/action-logs?from=yesterday").status == 400)
            #expect(try await admin.send(.get, "/admin/api/v1/action-logs?actor_type=robot").status == 400)
        }
    }

    @Test func failedAuthenticationIsLoggedOncePerAddressAndWindow() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { api in
            for _ in 0..<3 {
                let wrong = try await api.send(.get, "/api/v1/sessions", auth: "Bearer mk_wrong_secret_value")
                #expect(wrong.status == 401)
            }
            let missing = try await api.send(.get, "/api/v1/sessions", auth: .some(nil))
            #expect(missing.status == 401)
        }
        try await h.admin { admin in
            // No credentials is how a browser asks for the password prompt: not a failure.
            let anonymous = try await admin.send(.get, "/admin/api/v1/keys", auth: .some(nil))
            #expect(anonymous.status == 401)
            let wrong = try await admin.send(.get, "/admin/api/v1/keys", auth: "Basic YWRtaW46bm9wZQ==")
            #expect(wrong.status == 401)
            let reply = try await admin.send(.get, "/admin/api/v1/action-logs?action=auth.failed")
            let items = reply.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 2, "\(reply.body)")
            let api = try #require(items.first { $0["actor_type"] as? String == "api_key" })
            #expect(api["success"] as? Bool == false && api["resource_type"] as? String == "auth")
            #expect((api["details"] as? [String: Any])?["path"] as? String == "/api/v1/sessions")
            let user = try #require(items.first { $0["actor_type"] as? String == "user" })
            #expect((user["details"] as? [String: Any])?["code"] as? String != nil)
            // Nothing of the credential is kept.
            #expect(!reply.body.contains("wrong_secret") && !reply.body.contains("YWRtaW46bm9wZQ"))
        }
    }

    @Test func theLimiterLogsTheFirstFailureOfAWindowAndCountsTheRest() {
        var limiter = AuthFailureLimiter(windowSeconds: 60, capacity: 2)
        #expect(limiter.failure(from: "a", at: 0) == .init(record: true, suppressed: 0))
        #expect(limiter.failure(from: "a", at: 1_000) == .init(record: false, suppressed: 1))
        #expect(limiter.failure(from: "a", at: 59_999) == .init(record: false, suppressed: 2))
        #expect(limiter.failure(from: "b", at: 2_000) == .init(record: true, suppressed: 0))
        // The next window reports what the last one left out.
        #expect(limiter.failure(from: "a", at: 60_000) == .init(record: true, suppressed: 2))
        #expect(limiter.failure(from: "a", at: 60_001) == .init(record: false, suppressed: 1))
        // Over capacity with every window open: the oldest half goes.
        #expect(limiter.failure(from: "c", at: 61_000) == .init(record: true, suppressed: 0))
        #expect(limiter.trackedAddresses == 2)
        #expect(limiter.failure(from: "b", at: 61_500) == .init(record: true, suppressed: 0))
    }

    @Test func resourceOfAPath() {
        #expect(AuditMiddleware.resource(of: "/api/v1/sessions/sess_1/tasks") == ("session", "sess_1"))
        #expect(AuditMiddleware.resource(of: "/api/v1/sessions") == ("session", ""))
        #expect(AuditMiddleware.resource(of: "/admin/api/v1/runner-tokens/rtok_1/rotate") == ("runner_token", "rtok_1"))
        #expect(AuditMiddleware.resource(of: "/admin/api/v1/keys/key_1") == ("key", "key_1"))
    }
}
