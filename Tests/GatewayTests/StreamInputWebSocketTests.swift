import Fabric
import Foundation
import HummingbirdWSTesting
import Orchestrator
import Synchronization
import Testing
import WSClient

@testable import Gateway

/// `GET /api/v1/streams/{id}/input` on a live listener: who may send input, the hello, error
/// frames for bad messages, and input arriving at the runner's side of the hub.
@Suite struct StreamInputWebSocketTests {
    struct Created {
        let streamID: String
        let controlToken: String
    }

    static func desktopStream(_ c: GatewayHarness.Client) async throws -> Created {
        let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
        let created = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: #"{"type":"desktop","display":":99"}"#)
        #expect(created.status == 201, "\(created.body)")
        return Created(
            streamID: try #require(created.json["id"] as? String), controlToken: try #require(created.json["viewer_token"] as? String))
    }

    /// Runs a WebSocket session: sends `messages` one by one, each after the previous reply
    /// count reached `waitFor` texts, and returns every text frame the server sent.
    static func session(
        _ c: GatewayHarness.Client, _ path: String, send messages: [String], expect count: Int
    ) async throws -> [[String: Any]] {
        let received = Mutex<[String]>([])
        try await c.inner.ws(path) { inbound, outbound, _ in
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            // The hello first, then one message per reply expected.
            if case .text(let hello)? = try await iterator.next() { received.withLock { $0.append(hello) } }
            for message in messages { try await outbound.write(.text(message)) }
            while received.withLock({ $0.count }) < count, let frame = try await iterator.next() {
                if case .text(let text) = frame { received.withLock { $0.append(text) } }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return received.withLock { $0 }.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
    }

    @Test func controlTokenControlsViewOnlyDoesNotAndBadMessagesGetErrors() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.live { c in
            let stream = try await Self.desktopStream(c)
            let base = "/api/v1/streams/\(stream.streamID)/input?token=\(stream.controlToken)"
            // No runner yet: valid input is refused as runner_unavailable, malformed as invalid_message.
            let first = try await Self.session(
                c, base, send: [#"{"type":"mouse_move","x":2,"y":0}"#, #"{"type":"mouse_move","x":0.5,"y":0.5}"#, "nope", #"{"type":"ping"}"#],
                expect: 5)
            #expect(first[0]["type"] as? String == "hello")
            #expect(first[0]["input"] as? Bool == true && first[0]["controller"] as? Bool == true)
            #expect(first[0]["stream_id"] as? String == stream.streamID)
            #expect(first[1]["code"] as? String == "invalid_message")
            #expect(first[2]["code"] as? String == "runner_unavailable")
            #expect(first[3]["code"] as? String == "invalid_message")
            #expect(first[4]["type"] as? String == "pong")

            // With a runner attached, the controller's input reaches it in order.
            let got = Mutex<[Marionette_Runner_V1_MediaDown]>([])
            _ = await h.services.streamInput.attachRunner(streamID: stream.streamID) { message in
                got.withLock { $0.append(message) }
                return true
            }
            _ = try await Self.session(
                c, base,
                send: [#"{"type":"mouse_move","x":0.25,"y":0.75}"#, #"{"type":"key","code":"KeyA","key":"a","action":"down"}"#, #"{"type":"ping"}"#],
                expect: 2)
            let inputs = got.withLock { $0 }.compactMap { message -> Marionette_Runner_V1_InputEvent? in
                if case .input(let event)? = message.payload { event } else { nil }
            }
            #expect(inputs.count >= 2)
            #expect(inputs.first?.mouse.x == 0.25 && inputs.first?.mouse.y == 0.75)
            #expect(inputs.dropFirst().first?.key.code == "KeyA")
            // The controller left: the runner is told to release what it pressed.
            try await Task.sleep(for: .milliseconds(200))
            #expect(got.withLock { $0 }.last.map { if case .input(let e)? = $0.payload { e.event == nil } else { false } } == true)

            // view_only=1 (or a view token / streams:read key): input refused with an error frame.
            let viewer = try await Self.session(c, base + "&view_only=1", send: [#"{"type":"mouse_move","x":0.5,"y":0.5}"#], expect: 2)
            #expect(viewer[0]["input"] as? Bool == false && viewer[0]["controller"] as? Bool == false)
            #expect(viewer[1]["code"] as? String == "forbidden")
        }
    }

    @Test func wrongCredentialsAreNotUpgraded() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.live { c in
            let stream = try await Self.desktopStream(c)
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/api/v1/streams/\(stream.streamID)/input?token=stok_wrong") { _, _, _ in }
            }
            await #expect(throws: (any Error).self) {
                try await c.inner.ws("/api/v1/streams/\(stream.streamID)/input") { _, _, _ in }
            }
        }
    }
}
