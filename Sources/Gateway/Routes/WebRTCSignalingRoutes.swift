import Core
import HTTPTypes
import Hummingbird
import Orchestrator
import SFU

/// WHEP viewers and WHIP publishers (api.md §10.2–10.3; draft-ietf-wish-whep, RFC 9725). The offer goes to
/// the SFU, which answers with ICE-lite host candidates and its DTLS fingerprint; the Location names the
/// peer for DELETE. Credentials: a `stok_` stream token of this stream (any role to view, `publish` to
/// publish), or an API key with `streams:read` / `streams:write`, as Bearer or `?token=`.
enum WebRTCSignalingRoutes {
    enum Kind: String {
        case whep, whip
        var publisher: Bool { self == .whip }
        var scope: String { self == .whip ? "streams:write" : "streams:read" }
    }

    static func register(_ table: inout RouteTable, _ router: Router<APIContext>, _ s: GatewayServices) {
        for kind in [Kind.whep, .whip] {
            table.add(router, .post, "/api/v1/streams/{streamID}/\(kind.rawValue)") { request, context in
                try await offer(kind, request, context, s)
            }
            table.add(router, .delete, "/api/v1/streams/{streamID}/\(kind.rawValue)/{peerID}") { request, context in
                let streamID = try context.pathID("streamID", .stream, kind: "stream")
                _ = try await authorize(kind, request, streamID: streamID, s)
                guard let peerID = context.parameters.get("peerID"), let sfu = s.sfu.server,
                    await sfu.removePeer(id: peerID)
                else { throw APIError.notFound(kind == .whep ? "viewer" : "publisher", context.parameters.get("peerID") ?? "") }
                return Response(status: .ok)
            }
            table.add(router, .patch, "/api/v1/streams/{streamID}/\(kind.rawValue)/{peerID}") { request, context in
                try await patch(kind, request, context, s)
            }
        }
    }

    /// PATCH on a viewer or publisher (RFC 9725 §4.3): new ICE credentials restart ICE (200 with our
    /// new ones as `application/trickle-ice-sdpfrag`); trickled candidates alone change nothing for
    /// an ICE-lite server (204).
    static func patch(_ kind: Kind, _ request: Request, _ context: APIContext, _ s: GatewayServices) async throws -> Response {
        let streamID = try context.pathID("streamID", .stream, kind: "stream")
        _ = try await authorize(kind, request, streamID: streamID, s)
        let peerID = context.parameters.get("peerID") ?? ""
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard type == "application/trickle-ice-sdpfrag" else {
            throw APIError(
                status: 415, code: "unsupported_media_type", message: "PATCH takes an application/trickle-ice-sdpfrag body")
        }
        let body = try await request.body.collect(upTo: 64 * 1024)
        guard let credentials = ICERestartFragment.credentials(in: String(buffer: body)) else {
            return Response(status: .noContent)
        }
        guard let sfu = s.sfu.server else { throw APIError.serviceUnavailable(SFUError.notRunning.description) }
        let fragment: String?
        do { fragment = try await sfu.restartICE(peerID: peerID, remoteUfrag: credentials.ufrag) } catch {
            if case .unknownPeer = error { throw APIError.notFound(kind == .whep ? "viewer" : "publisher", peerID) }
            throw apiError(error)
        }
        guard let fragment else { return Response(status: .noContent) }
        return Response(
            status: .ok, headers: [.contentType: "application/trickle-ice-sdpfrag"],
            body: .init(byteBuffer: ByteBuffer(string: fragment)))
    }

    static func offer(_ kind: Kind, _ request: Request, _ context: APIContext, _ s: GatewayServices) async throws -> Response {
        let streamID = try context.pathID("streamID", .stream, kind: "stream")
        let scope = try await authorize(kind, request, streamID: streamID, s)
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/sdp") == true else {
            throw APIError(status: 415, code: "unsupported_media_type", message: "send the SDP offer as Content-Type: application/sdp")
        }
        let body = try await request.body.collect(upTo: 64 * 1024)
        let offer = String(buffer: body)
        let stream = try await s.streams.record(streamID, scope: scope)
        switch stream.machineState {
        case .stopped, .stopping, .failed:
            throw APIError.invalidState("stream \(streamID) is \(stream.state); create a new stream")
        default: break
        }
        if kind == .whip, stream.type != "webrtc" {
            throw APIError.invalidState("only webrtc streams take a WHIP publisher; stream \(streamID) is \(stream.type)")
        }
        guard let sfu = s.sfu.server else { throw APIError.serviceUnavailable("the SFU is not running yet; retry shortly") }
        let media = Self.media(stream)
        let peer: (id: String, answer: String)
        do {
            peer = kind.publisher
                ? try await sfu.addPublisher(streamID: streamID, media: media, offer: offer)
                : try await sfu.addViewer(streamID: streamID, media: media, offer: offer)
        } catch {
            throw Self.apiError(error)
        }
        var headers: HTTPFields = [
            .contentType: "application/sdp",
            .location: "/api/v1/streams/\(streamID)/\(kind.rawValue)/\(peer.id)",
        ]
        for server in stream.iceServers {
            for url in server.urls { headers.append(HTTPField(name: .init("Link")!, value: "<\(url)>; rel=\"ice-server\"")) }
        }
        return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: peer.answer)))
    }

    /// The stream's codecs as the SFU negotiates them: the stream's video codec, Opus when audio is on.
    static func media(_ stream: StreamRecord) -> SDPStreamMedia {
        SDPStreamMedia(video: videoCodec(named: stream.videoCodec), audio: stream.audio ? .opus : nil)
    }

    /// A stream's `video_codec` as the SFU forwards it (runner sources and WHIP alike).
    static func videoCodec(named name: String?) -> WebRTCCodec {
        switch name?.lowercased() {
        case "vp9": return .vp9
        case "h264":
            // Constrained baseline 3.1 until the source's SPS says otherwise.
            return .h264(WebRTCH264ProfileLevelID(profileIDC: 0x42, constraints: 0xe0, levelIDC: 0x1f))
        default: return .vp8
        }
    }

    /// The tenant scope the request may act in, from a `stok_` token of this stream or an API key.
    static func authorize(_ kind: Kind, _ request: Request, streamID: String, _ s: GatewayServices) async throws -> TenantScope {
        let credential = try APIKeyMiddleware.credential(request)
        if credential.hasPrefix("stok_") {
            guard let role = await s.streamTokens.authenticateStreamToken(raw: credential, streamID: streamID) else {
                throw APIError.unauthenticated("invalid_token", "the stream token is unknown, expired, revoked or for another stream")
            }
            if kind == .whip, role != .publish { throw APIError.forbidden(scope: "publish") }
            return .system
        }
        let principal = try await s.authenticator.authenticate(credential)
        try principal.require(kind.scope)
        return principal.scope(multiTenant: s.config.multiTenant)
    }

    static func apiError(_ error: SFUError) -> APIError {
        switch error {
        case .invalidSDP(let reason): return APIError(status: 400, code: "invalid_sdp", message: reason)
        case .unsupportedCodec(let reason): return APIError(status: 400, code: "unsupported_codec", message: reason)
        case .publisherExists: return .conflict("publisher_exists", error.description)
        case .atCapacity: return APIError(status: 503, code: "sfu_at_capacity", message: error.description)
        case .unknownPeer: return .notFound("peer", "")
        case .notRunning: return .serviceUnavailable(error.description)
        case .dtls(let dtls): return APIError(status: 500, code: "internal_error", message: dtls.description)
        }
    }
}
