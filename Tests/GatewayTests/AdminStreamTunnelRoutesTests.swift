import Core
import Foundation
import Synchronization
import Testing

@testable import Gateway

/// `/admin/api/v1/streams` and `/admin/api/v1/tunnels` (api.md §13.2): every session's streams and
/// tunnels, with the admin filters; admin credentials only.
@Suite struct AdminStreamTunnelRoutesTests {
    @Test func streamsAndTunnelsOfEverySessionWithTheirFilters() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let ids = IDBox()
        try await h.api { c in
            for _ in 0..<2 {
                let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
                let stream = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: #"{"type":"webrtc"}"#)
                #expect(stream.status == 201, "\(stream.body)")
                let tunnel = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"type":"tcp","local_port":22}"#)
                #expect(tunnel.status == 201, "\(tunnel.body)")
                ids.add(session: sid, stream: try #require(stream.json["id"] as? String))
            }
        }
        let (sessions, streams) = ids.values
        try await h.admin { c in
            var list = try await c.send(.get, "/admin/api/v1/streams")
            #expect(list.status == 200 && list.json["total_count"] as? Int == 2, "\(list.body)")
            #expect(!list.body.contains("stok_"), "no stream token in a list")
            list = try await c.send(.get, "/admin/api/v1/streams?session_id=\(sessions[0])&type=webrtc&state=starting")
            #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [streams[0]], "\(list.body)")
            #expect(try await c.send(.get, "/admin/api/v1/streams?runner_id=run_AAAAAAAA00000000").json["total_count"] as? Int == 0)
            #expect(try await c.send(.get, "/admin/api/v1/streams?tenant_id=other").json["total_count"] as? Int == 0)
            #expect(try await c.send(.get, "/admin/api/v1/streams?runner_id=nope").code == "validation_error")
            #expect(try await c.send(.get, "/admin/api/v1/streams?state=bogus").status == 400)

            #expect(try await c.send(.get, "/admin/api/v1/streams/\(streams[1])").json["id"] as? String == streams[1])
            #expect(try await c.send(.delete, "/admin/api/v1/streams/\(streams[1])").status == 204)
            #expect(try await c.send(.get, "/admin/api/v1/streams").json["total_count"] as? Int == 1, "stopped ones are left out")
            #expect(try await c.send(.get, "/admin/api/v1/streams?include_stopped=true").json["total_count"] as? Int == 2)
            #expect(try await c.send(.get, "/admin/api/v1/streams/strm_AAAAAAAA00000000").status == 404)

            #expect(try await c.send(.get, "/admin/api/v1/tunnels").json["total_count"] as? Int == 2)
            #expect(try await c.send(.get, "/admin/api/v1/tunnels?session_id=\(sessions[1])&type=tcp").json["total_count"] as? Int == 1)
            #expect(try await c.send(.get, "/admin/api/v1/tunnels?type=http").json["total_count"] as? Int == 0)

            #expect(try await c.send(.get, "/admin/api/v1/streams", auth: .some(nil)).status == 401)
            #expect(try await c.send(.get, "/admin/api/v1/tunnels", auth: .some("Bearer \(h.key)")).status == 401, "API keys are not admin credentials")
        }
    }
}

private final class IDBox: Sendable {
    private let state = Mutex<([String], [String])>(([], []))
    func add(session: String, stream: String) { state.withLock { $0.0.append(session); $0.1.append(stream) } }
    var values: ([String], [String]) { state.withLock { $0 } }
}
