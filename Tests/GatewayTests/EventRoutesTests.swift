import Core
import Foundation
import HTTPTypes
import HummingbirdWSTesting
import Orchestrator
import Synchronization
import TestSupport
import Testing
import WSClient

#if canImport(Glibc)
import Glibc
#endif

@testable import Gateway

/// `GET /api/v1/events` and `/admin/api/v1/events` on live listeners: committed changes arrive as
/// frames, filtered by type pattern, labels and tenant; bad credentials and filters are refused.
@Suite struct EventRoutesTests {
    /// Opens `path`, runs `actions` once the server has subscribed, and returns the first `count`
    /// text frames.
    static func follow(
        _ c: GatewayHarness.Client, _ h: GatewayHarness, _ path: String, headers: HTTPFields = [:], count: Int,
        actions: @escaping @Sendable () async throws -> Void
    ) async throws -> [[String: Any]] {
        let received = Mutex<[String]>([])
        try await c.inner.ws(path, configuration: .init(additionalHeaders: headers)) { inbound, outbound, _ in
            let deadline = ContinuousClock.now + .seconds(10)
            while h.services.store.events.subscriberCount == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await actions()
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            while received.withLock({ $0.count }) < count, let frame = try await iterator.next() {
                if case .text(let text) = frame { received.withLock { $0.append(text) } }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return received.withLock { $0 }.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
    }

    @Test func stateChangesArriveFilteredByTypeAndLabels() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.live { c in
            let labels = #"{"team":"docs"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let ids = Mutex<(docs: String, task: String)>(("", ""))
            let frames = try await Self.follow(
                c, h, "/api/v1/events?token=\(c.key)&event_type=session&event_type=task.created&labels=\(labels)", count: 3
            ) {
                let docs = try #require(
                    try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command","labels":{"team":"docs"}}"#).json["id"]
                        as? String)
                // Another team's session and its task: filtered out by the labels.
                let other = try #require(
                    try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command","labels":{"team":"ops"}}"#).json["id"]
                        as? String)
                _ = try await c.send(.post, "/api/v1/sessions/\(other)/tasks", json: #"{"prompt":"echo other"}"#)
                let task = try #require(
                    try await c.send(.post, "/api/v1/sessions/\(docs)/tasks", json: #"{"prompt":"echo hello"}"#).json["id"] as? String)
                // Not a pattern we asked for.
                _ = try await c.send(.post, "/api/v1/tasks/\(task)/cancel")
                #expect(try await c.send(.delete, "/api/v1/sessions/\(docs)").status == 204)
                ids.withLock { $0 = (docs, task) }
            }
            let (docs, task) = ids.withLock { $0 }
            #expect(frames.map { $0["event_type"] as? String } == ["session.created", "task.created", "session.terminated"])
            #expect(frames.allSatisfy { $0["type"] as? String == "event" && $0["timestamp"] != nil })
            #expect(frames[0]["resource"] as? String == "session" && frames[0]["id"] as? String == docs)
            let sessionData = try #require(frames[0]["data"] as? [String: Any])
            #expect(sessionData["agent"] as? String == "command" && sessionData["status"] as? String == "pending")
            #expect(sessionData["workspace_id"] as? String != nil)
            #expect(frames[1]["resource"] as? String == "task" && frames[1]["id"] as? String == task)
            let taskData = try #require(frames[1]["data"] as? [String: Any])
            #expect(taskData["session_id"] as? String == docs && taskData["prompt"] as? String == "echo hello")
            #expect((frames[2]["data"] as? [String: Any])?["status"] as? String == "terminated")
        }
    }

    @Test func missingScopeCredentialsAndBadFiltersAreRefused() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.live { c in
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/api/v1/events") { _, _, _ in Issue.record("upgraded without a key") }
            }
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/api/v1/events?token=\(c.key)&event_type=ta*") { _, _, _ in Issue.record("upgraded with a bad pattern") }
            }
            let keyNoEvents = try await h.services.apiKeys.create(.init(name: "no-events", scopes: ["sessions:read"]), createdBy: nil)
                .rawToken
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/api/v1/events?token=\(keyNoEvents)") { _, _, _ in Issue.record("upgraded without events:read") }
            }
            // Not an upgrade: SSE only when asked for.
            #expect(try await c.send(.get, "/api/v1/events").status == 400)
            let bad = try await c.send(.get, "/api/v1/events?event_type=task.comp*", headers: [.accept: "text/event-stream"])
            #expect(bad.status == 400 && bad.code == "validation_error")
        }
    }

    @Test func adminEventsSeeEveryTenantWithBasicOrAOneTimeTicket() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.liveAdmin { c in
            let issued = try await c.send(.post, "/admin/api/v1/ws-tickets")
            #expect(issued.status == 201)
            let ticket = try #require(issued.json["ticket"] as? String)
            #expect(issued.json["expires_at"] != nil)
            let event = DomainEvent(
                type: "stream.failed", resourceID: "strm_x", tenantID: "tenant-b", data: ["error_code": .string("device_disconnected")],
                timestamp: Timestamp(milliseconds: 1_700_000_000_000))
            let store = h.services.store
            let frames = try await Self.follow(c, h, "/admin/api/v1/events?ticket=\(ticket)&event_type=stream.*", count: 1) {
                store.events.publish(
                    DomainEvent(type: "task.created", resourceID: "task_x", tenantID: nil, data: [:], timestamp: event.timestamp))
                store.events.publish(event)
            }
            #expect(frames.first?["event_type"] as? String == "stream.failed")
            #expect((frames.first?["data"] as? [String: Any])?["error_code"] as? String == "device_disconnected")
            // A ticket opens one socket.
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/admin/api/v1/events?ticket=\(ticket)") { _, _, _ in Issue.record("a used ticket upgraded") }
            }
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/admin/api/v1/events") { _, _, _ in Issue.record("upgraded without credentials") }
            }
            // Basic credentials in the header work too.
            let basic = try #require(c.authorization)
            let viaHeader = try await Self.follow(c, h, "/admin/api/v1/events", headers: [.authorization: basic], count: 1) {
                store.events.publish(event)
            }
            #expect(viaHeader.first?["id"] as? String == "strm_x")
        }
    }

    /// SSE: `GET /api/v1/events` with `Accept: text/event-stream` over a raw socket, read until the
    /// first event arrives.
    @Test func serverSentEventsCarryTheSameFrames() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.live { c in
            let port = try #require(c.inner.port)
            let key = c.key
            let reader = Task {
                try await offPool { () -> String in
                    try Self.readSSE(
                        port: port,
                        request: "GET /api/v1/events?event_type=session.created HTTP/1.1\r\nHost: localhost\r\n"
                            + "Accept: text/event-stream\r\nAuthorization: Bearer \(key)\r\n\r\n",
                        until: "event: session.created")
                }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while h.services.store.events.subscriberCount == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let created = try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#)
            let id = try #require(created.json["id"] as? String)
            let text = try await reader.value
            #expect(text.contains("200 OK") && text.lowercased().contains("content-type: text/event-stream"))
            #expect(text.contains("retry: 2000"))
            #expect(text.contains("event: session.created\ndata: {"))
            #expect(text.contains("\"id\":\"\(id)\""))
        }
    }

    /// Blocking: connect, send, read until `marker` and the blank line after it (or 10 s).
    static func readSSE(port: Int, request: String, until marker: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
            if let range = text.range(of: marker), text[range.upperBound...].contains("\n\n") { break }
        }
        return text
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
