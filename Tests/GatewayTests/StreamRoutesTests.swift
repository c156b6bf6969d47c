import Core
import Foundation
import HTTPTypes
import NIOCore
import Orchestrator
import SFU
import Testing

@testable import Gateway

/// `/api/v1/sessions/{id}/streams` and `/api/v1/streams/**` through the real router.
@Suite struct StreamRoutesTests {
    @Test func createListGetTokenStop() async throws {
        var config = ServerConfig()
        config.publicURL = "https://mari.example/"
        let h = try await GatewayHarness.make(config: config)
        defer { Task { await h.close() } }
        let tokens = h.services.streamTokens
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let created = try await c.send(
                .post, "/api/v1/sessions/\(sid)/streams", json: #"{"type":"testsrc","frame_rate":15,"labels":{"k":"v"}}"#)
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.json["id"] as? String)
            #expect(ID.isValid(id, prefix: .stream))
            #expect(created.json["state"] as? String == "pending")
            #expect(created.json["fps"] as? Int == 15)
            #expect(created.json["width"] as? Int == 1280)
            #expect(created.json["viewer_count"] as? Int == 0)
            #expect(created.json["publisher_connected"] as? Bool == false)
            #expect(created.json["whep_url"] as? String == "https://mari.example/api/v1/streams/\(id)/whep")
            #expect(created.json["viewer_url"] as? String == "https://mari.example/streams/\(id)/view")
            #expect(created.json["whip_url"] == nil)
            #expect((created.json["ice_servers"] as? [Any])?.isEmpty == true)
            #expect((created.json["labels"] as? [String: String]) == ["k": "v"])
            let viewer = try #require(created.json["viewer_token"] as? String)
            #expect(await tokens.authenticateStreamToken(raw: viewer, streamID: id) == .view)

            let webrtc = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: #"{"type":"webrtc"}"#)
            #expect(webrtc.json["state"] as? String == "starting")
            #expect(webrtc.json["publish_token"] is String)
            let wid = try #require(webrtc.json["id"] as? String)
            #expect(webrtc.json["whip_url"] as? String == "https://mari.example/api/v1/streams/\(wid)/whip")

            let got = try await c.send(.get, "/api/v1/streams/\(id)")
            #expect(got.status == 200)
            #expect(got.json["viewer_token"] == nil)
            #expect(!got.body.contains("stok_"))

            let list = try await c.send(.get, "/api/v1/sessions/\(sid)/streams?type=webrtc&type=testsrc&limit=1")
            #expect(list.json["total_count"] as? Int == 2)
            #expect(list.json["has_more"] as? Bool == true)
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/streams?state=starting").json["total_count"] as? Int == 1)

            let minted = try await c.send(.post, "/api/v1/streams/\(id)/tokens")
            #expect(minted.status == 201)
            #expect(minted.json["role"] as? String == "view")
            #expect(minted.json["expires_at"] is String)
            let publish = try await c.send(.post, "/api/v1/streams/\(wid)/tokens", json: #"{"role":"publish","ttl_seconds":60}"#)
            #expect(publish.json["role"] as? String == "publish")
            #expect(await tokens.authenticateStreamToken(raw: try #require(publish.json["token"] as? String), streamID: wid) == .publish)
            #expect(try await c.send(.post, "/api/v1/streams/\(id)/tokens", json: #"{"role":"publish"}"#).code == "validation_error")

            #expect(try await c.send(.delete, "/api/v1/streams/\(id)").status == 204)
            #expect(try await c.send(.delete, "/api/v1/streams/\(id)").status == 204)
            let stopped = try await c.send(.get, "/api/v1/streams/\(id)")
            #expect(stopped.json["state"] as? String == "stopped")
            #expect(stopped.json["stopped_at"] is String)
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/streams").json["total_count"] as? Int == 1)
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/streams?include_stopped=true").json["total_count"] as? Int == 2)
            #expect(try await c.send(.post, "/api/v1/streams/\(id)/tokens").code == "invalid_state")
            #expect(await tokens.authenticateStreamToken(raw: viewer, streamID: id) == nil)

            // Terminating the session stops what is left.
            #expect(try await c.send(.delete, "/api/v1/sessions/\(sid)").status == 204)
            #expect(try await c.send(.get, "/api/v1/streams/\(wid)").json["state"] as? String == "stopped")
            #expect(try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: "{}").code == "invalid_state")
        }
    }

    @Test func errorsFollowTheSpec() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            var r = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: #"{"type":"browser"}"#)
            #expect(r.status == 400)
            #expect(r.code == "unsupported_stream_type")
            r = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: #"{"type":"android","codec":"vp8"}"#)
            #expect(r.code == "validation_error")
            #expect((r.json["details"] as? [String: String])?["field"] == "video_codec")
            r = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: #"{"fps":"fast"}"#)
            #expect(r.code == "validation_error")
            #expect((r.json["details"] as? [String: String])?["field"] == "fps")
            #expect(try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: "{nope").code == "invalid_json")
            for _ in 0..<4 {
                #expect(try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: "{}").status == 201)
            }
            r = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: "{}")
            #expect(r.status == 409)
            #expect(r.code == "limit_exceeded")
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/streams?state=bogus").code == "validation_error")
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/streams?cursor=%%%").code == "invalid_cursor")
            #expect(try await c.send(.get, "/api/v1/streams/sess_AAAAAAAA00000000").status == 404)
            #expect(try await c.send(.get, "/api/v1/streams/strm_AAAAAAAA00000000").code == "not_found")
            #expect(try await c.send(.delete, "/api/v1/streams/strm_AAAAAAAA00000000").status == 404)
            #expect(try await c.send(.get, "/api/v1/sessions/sess_AAAAAAAA00000000/streams").status == 404)
            #expect(try await c.send(.get, "/api/v1/streams/strm_AAAAAAAA00000000", auth: .some(nil)).status == 401)
        }
    }

    @Test func scopesAreStreamsReadAndWrite() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let reader = try await h.services.apiKeys.create(
            CreateAPIKeyRequest(name: "reader", scopes: ["streams:read", "sessions:write"]), createdBy: "test")
        let writer = try await h.services.apiKeys.create(
            CreateAPIKeyRequest(name: "writer", scopes: ["streams:*"]), createdBy: "test")
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let asReader = "Bearer \(reader.rawToken)"
            let asWriter = "Bearer \(writer.rawToken)"
            let denied = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: "{}", auth: .some(asReader))
            #expect(denied.status == 403)
            #expect(denied.json["message"] as? String == "Insufficient permissions: requires scope streams:write")
            let created = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: "{}", auth: .some(asWriter))
            #expect(created.status == 201)
            let id = try #require(created.json["id"] as? String)
            #expect(try await c.send(.get, "/api/v1/streams/\(id)", auth: .some(asReader)).status == 200)
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/streams", auth: .some(asReader)).status == 200)
            #expect(try await c.send(.post, "/api/v1/streams/\(id)/tokens", auth: .some(asReader)).status == 403)
            #expect(try await c.send(.delete, "/api/v1/streams/\(id)", auth: .some(asReader)).status == 403)
            #expect(try await c.send(.get, "/api/v1/streams/\(id)/stats", auth: .some(asReader)).status == 200)
            let sessionsOnly = try await h.services.apiKeys.create(
                CreateAPIKeyRequest(name: "sessions", scopes: ["sessions:*"]), createdBy: "test")
            let deniedStats = try await c.send(.get, "/api/v1/streams/\(id)/stats", auth: .some("Bearer \(sessionsOnly.rawToken)"))
            #expect(deniedStats.status == 403)
            #expect(deniedStats.json["message"] as? String == "Insufficient permissions: requires scope streams:read")
            // A stream token is not an API key.
            let viewer = try #require(created.json["viewer_token"] as? String)
            let asToken = try await c.send(.get, "/api/v1/streams/\(id)", auth: .some("Bearer \(viewer)"))
            #expect(asToken.status == 401)
            #expect(asToken.code == "invalid_token")
        }
    }

    /// A WHEP offer as Chrome makes it (recvonly VP8 + RTX, BUNDLE, rtcp-mux); the fingerprint is
    /// never checked because no DTLS handshake happens here.
    static let viewerOffer = [
        "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0", "a=msid-semantic: WMS",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:abcd",
        "a=ice-pwd:0123456789abcdef0123456789", "a=fingerprint:sha-256 "
            + (0..<32).map { _ in "AB" }.joined(separator: ":"),
        "a=setup:actpass", "a=mid:0", "a=recvonly", "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:96 VP8/90000",
        "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
    ].joined(separator: "\r\n") + "\r\n"

    /// `GET /api/v1/streams/{id}/stats` over a running SFU: zeros before it holds anything for the
    /// stream, then the runner frames it packetized and the viewer that joined.
    @Test func statsCountWhatTheSFUSees() async throws {
        let h = try await GatewayHarness.make()
        var configuration = SFUConfiguration()
        configuration.udpPort = 0
        let sfu = try await SFUServer.start(configuration: configuration)
        defer {
            h.services.sfu.set(nil)
            Task {
                await sfu.stop()
                await h.close()
            }
        }
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let created = try await c.send(.post, "/api/v1/sessions/\(sid)/streams", json: #"{"type":"testsrc","bitrate_kbps":2000}"#)
            let id = try #require(created.json["id"] as? String)

            // The SFU is not running yet: the counters are zeros and the target is the stream's own.
            var r = try await c.send(.get, "/api/v1/streams/\(id)/stats")
            #expect(r.status == 200, "\(r.body)")
            #expect(r.json["stream_id"] as? String == id)
            for key in [
                "viewer_count", "frames_received", "keyframes_received", "bitrate_in_kbps", "packets_out", "nacks_received",
                "rtx_sent", "plis_received", "keyframe_requests_sent", "packets_in", "bytes_in", "bytes_out",
                "bitrate_out_kbps", "sender_reports_sent",
            ] {
                #expect(r.json[key] as? Int == 0, "\(key)")
            }
            #expect(r.json["target_bitrate_kbps"] as? Int == 2000)
            #expect(r.json["publisher_connected"] as? Bool == false)
            #expect((r.json["viewers"] as? [Any])?.isEmpty == true)
            #expect(try await c.send(.get, "/api/v1/streams/strm_AAAAAAAA00000000/stats").code == "not_found")
            #expect(try await c.send(.get, "/api/v1/streams/\(id)/stats", auth: .some(nil)).status == 401)

            // A runner source with three frames (a 3,000-byte keyframe in three packets, two deltas)
            // and one viewer that has not finished DTLS yet.
            h.services.sfu.set(sfu)
            try await sfu.attachSource(streamID: id, media: SDPStreamMedia(video: .vp8)) {}
            let viewer = try await sfu.addViewer(streamID: id, media: SDPStreamMedia(video: .vp8), offer: Self.viewerOffer)
            let frames: [(Int64, Bool, Int)] = [(0, true, 3_000), (33_333, false, 500), (66_667, false, 400)]
            for (pts, keyframe, size) in frames {
                let data = [UInt8](repeating: keyframe ? 0x00 : 0x01, count: size)
                sfu.ingestVideoFrame(streamID: id, ptsMicroseconds: pts, keyframe: keyframe, data: ByteBuffer(bytes: data))
            }
            r = try await c.send(.get, "/api/v1/streams/\(id)/stats")
            #expect(r.status == 200)
            #expect(r.json["viewer_count"] as? Int == 1)
            #expect(r.json["publisher_connected"] as? Bool == true)
            #expect(r.json["frames_received"] as? Int == 3)
            #expect(r.json["keyframes_received"] as? Int == 1)
            #expect(r.json["packets_in"] as? Int == 5)
            #expect(r.json["bytes_in"] as? Int == 3_900)
            #expect(r.json["packets_out"] as? Int == 0, "nothing goes to a viewer before DTLS")
            #expect(r.json["target_bitrate_kbps"] as? Int == 2000)
            let viewers = try #require(r.json["viewers"] as? [[String: Any]])
            #expect(viewers.count == 1)
            #expect(viewers.first?["id"] as? String == viewer.id)
            #expect(viewers.first?["connected"] as? Bool == false)
            #expect(viewers.first?["packets_out"] as? Int == 0)
            #expect(viewers.first?["congested"] as? Bool == false && viewers.first?["frames_dropped"] as? Int == 0)
            #expect(viewers.first?["receiver_reports_received"] as? Int == 0 && viewers.first?["fraction_lost"] as? Double == 0)
            #expect(viewers.first?.keys.contains("rtt_ms") == false, "no round trip before a report echoed one")

            // Stopping the stream forgets its room: zeros again.
            #expect(try await c.send(.delete, "/api/v1/streams/\(id)").status == 204)
            r = try await c.send(.get, "/api/v1/streams/\(id)/stats")
            #expect(r.json["viewer_count"] as? Int == 0 && r.json["frames_received"] as? Int == 0)
        }
    }
}
