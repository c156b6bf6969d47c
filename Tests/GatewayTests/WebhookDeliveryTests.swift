import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Orchestrator
import Synchronization
import Testing

@testable import Gateway

/// Webhooks end to end over real HTTP on loopback: admin CRUD, a receiver that checks every
/// signature, a 500 retried until delivered, a 404 failed for good and retried by hand, and the
/// SSRF guard refusing loopback URLs when private targets are not allowed.
@Suite struct WebhookDeliveryTests {
    /// What the receiver got: body, headers, and whether the signature checked out.
    final class Receiver: Sendable {
        struct Hit: Sendable {
            let path: String
            let body: String
            let eventID: String?
            let signatureValid: Bool
        }
        let hits = Mutex<[Hit]>([])
        let secret = Mutex<String>("")
        /// Status per path for each successive hit (the last repeats).
        let script: [String: [Int]]

        init(script: [String: [Int]]) { self.script = script }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("{path}") { request, context -> Response in
                let path = context.parameters.get("path") ?? ""
                let body = try await request.body.collect(upTo: 1 << 20)
                let bytes = Array(buffer: body)
                let timestamp = Int64(request.headers[HTTPField.Name("X-Webhook-Timestamp")!] ?? "") ?? 0
                let valid = WebhookSignature.verify(
                    header: request.headers[HTTPField.Name("X-Webhook-Signature")!] ?? "", secret: self.secret.withLock { $0 },
                    timestamp: timestamp, body: bytes, now: Int64(Date().timeIntervalSince1970))
                let count = self.hits.withLock { hits in
                    hits.append(
                        Hit(path: path, body: String(decoding: bytes, as: UTF8.self),
                            eventID: request.headers[HTTPField.Name("X-Webhook-ID")!], signatureValid: valid))
                    return hits.filter { $0.path == path }.count
                }
                let statuses = self.script[path] ?? [200]
                return Response(status: .init(code: statuses[min(count, statuses.count) - 1]))
            }
            return router
        }

        func count(_ path: String) -> Int { hits.withLock { $0.filter { $0.path == path }.count } }
    }

    static func waitUntil(_ seconds: Double = 15, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func signedDeliveriesRetriedUntilDeliveredFailedOnes4xxAndRetriedByHand() async throws {
        var config = ServerConfig()
        config.webhooks.allowPrivate = true
        let h = try await GatewayHarness.make(config: config)
        defer { Task { await h.close() } }
        let receiver = Receiver(script: ["flaky": [500, 200], "gone": [404, 200]])
        let dispatcher = Task {
            try await WebhookDispatcher(
                store: h.services.store, settings: config.webhooks, dataKeys: h.services.dataKeys, logger: Logger(label: "test")).run()
        }
        defer { dispatcher.cancel() }
        try await Application(router: receiver.router()).test(.live) { receiverClient in
            let port = try #require(receiverClient.port)
            try await h.admin { admin in
                let created = try await admin.send(
                    .post, "/admin/api/v1/webhooks",
                    json: #"{"name":"flaky","url":"http://127.0.0.1:\#(port)/flaky","events":["session.created"],"retry_delay_seconds":1,"headers":{"X-Team":"docs"}}"#)
                #expect(created.status == 201, "\(created.body)")
                let secret = try #require(created.json["secret"] as? String)
                receiver.secret.withLock { $0 = secret }
                let hook = try #require(created.json["webhook"] as? [String: Any])
                let hookID = try #require(hook["id"] as? String)
                #expect(hook["secret_prefix"] as? String == String(secret.prefix(8)))
                #expect(hook["secret"] == nil)
                #expect(try await admin.send(.post, "/admin/api/v1/webhooks", json: #"{"name":"flaky","url":"http://127.0.0.1:\#(port)/x","events":["*"]}"#).code == "name_exists")
                let gone = try await admin.send(
                    .post, "/admin/api/v1/webhooks",
                    json: #"{"name":"gone","url":"http://127.0.0.1:\#(port)/gone","events":["session"],"retry_delay_seconds":1}"#)
                let goneID = try #require((gone.json["webhook"] as? [String: Any])?["id"] as? String)
                // Same secret for both receivers' checks: rotate "gone" onto a new one and use that below.
                #expect(try await admin.send(.post, "/admin/api/v1/webhooks", json: #"{"name":"bad","url":"ftp://x","events":["*"]}"#).status == 400)
                #expect(try await admin.send(.post, "/admin/api/v1/webhooks", json: #"{"name":"bad","url":"http://example.com","events":["ta*"]}"#).status == 400)

                // A session is created: both webhooks match.
                try await h.api { api in
                    let session = try await api.send(.post, "/api/v1/sessions", json: #"{"agent":"command","labels":{"team":"docs"}}"#)
                    #expect(session.status == 201)
                }
                #expect(try await Self.waitUntil { receiver.count("flaky") >= 2 }, "flaky got \(receiver.count("flaky"))")
                #expect(try await Self.waitUntil { receiver.count("gone") >= 1 })
                let flakyHits = receiver.hits.withLock { $0.filter { $0.path == "flaky" } }
                let allValid = flakyHits.allSatisfy { $0.signatureValid }
                #expect(allValid, "a signature did not verify")
                #expect(flakyHits[0].eventID == flakyHits[1].eventID, "a retry is the same event")
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(flakyHits[0].body.utf8)) as? [String: Any])
                #expect(payload["event"] as? String == "session.created")
                #expect((payload["resource"] as? [String: Any])?["type"] as? String == "session")
                #expect(((payload["resource"] as? [String: Any])?["labels"] as? [String: String])?["team"] == "docs")
                #expect((payload["data"] as? [String: Any])?["agent"] as? String == "command")

                // The delivery log: delivered after two attempts; the 404 failed after one.
                let delivered = try await Self.waitUntil {
                    let log = try await admin.send(.get, "/admin/api/v1/webhook-events?webhook_id=\(hookID)")
                    return (log.json["items"] as? [[String: Any]])?.first?["status"] as? String == "delivered"
                }
                #expect(delivered)
                let flakyLog = try #require(
                    (try await admin.send(.get, "/admin/api/v1/webhook-events?webhook_id=\(hookID)").json["items"] as? [[String: Any]])?.first)
                #expect(flakyLog["attempts"] as? Int == 2 && flakyLog["last_status_code"] as? Int == 200)
                var goneEvent: [String: Any] = [:]
                let failed = try await Self.waitUntil {
                    let log = try await admin.send(.get, "/admin/api/v1/webhook-events?webhook_id=\(goneID)&status=failed")
                    goneEvent = (log.json["items"] as? [[String: Any]])?.first ?? [:]
                    return !goneEvent.isEmpty
                }
                #expect(failed)
                #expect(goneEvent["attempts"] as? Int == 1 && goneEvent["last_status_code"] as? Int == 404)
                let goneEventID = try #require(goneEvent["id"] as? String)
                let flakyEventID = try #require(flakyLog["id"] as? String)
                #expect(try await admin.send(.post, "/admin/api/v1/webhook-events/\(flakyEventID)/retry").code == "invalid_state")
                let retried = try await admin.send(.post, "/admin/api/v1/webhook-events/\(goneEventID)/retry")
                #expect(retried.status == 200 && retried.json["status"] as? String == "queued")
                #expect(try await Self.waitUntil { receiver.count("gone") >= 2 })
                let redelivered = try await Self.waitUntil {
                    try await admin.send(.get, "/admin/api/v1/webhook-events/\(goneEventID)").json["status"] as? String == "delivered"
                }
                #expect(redelivered)

                // Rotation: a new secret, and the old one no longer verifies.
                let rotated = try await admin.send(.post, "/admin/api/v1/webhooks/\(hookID)/rotate-secret")
                let newSecret = try #require(rotated.json["secret"] as? String)
                #expect(newSecret != secret && rotated.json["secret_prefix"] as? String == String(newSecret.prefix(8)))
                // Deactivated: nothing more is sent; deleted: 404.
                #expect(try await admin.send(.put, "/admin/api/v1/webhooks/\(hookID)", json: #"{"is_active":false}"#).json["is_active"] as? Bool == false)
                #expect(try await admin.send(.delete, "/admin/api/v1/webhooks/\(goneID)").status == 204)
                #expect(try await admin.send(.get, "/admin/api/v1/webhooks/\(goneID)").status == 404)
                let before = receiver.hits.withLock { $0.count }
                try await h.api { api in
                    _ = try await api.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#)
                }
                try await Task.sleep(for: .milliseconds(1500))
                #expect(receiver.hits.withLock { $0.count } == before)
            }
        }
    }

    @Test func loopbackAndPrivateURLsAreRefusedUnlessAllowed() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.admin { admin in
            for url in ["http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]/x", "http://169.254.169.254/latest", "http://10.0.0.1/"] {
                let refused = try await admin.send(.post, "/admin/api/v1/webhooks", json: #"{"name":"ssrf","url":"\#(url)","events":["*"]}"#)
                #expect(refused.status == 400 && refused.code == "validation_error", "\(url): \(refused.body)")
            }
        }
    }
}
