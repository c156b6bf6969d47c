import ArgumentParser
import SFU

/// The SDP our synthetic peers send: Chrome-shaped (BUNDLE, rtcp-mux, VP8 with NACK/PLI, mid,
/// abs-send-time and playout-delay extensions), video only, no RTX (the viewers never NACK) and
/// no transport-cc (they send no transport feedback; the SFU would stamp sequence numbers for nothing).
/// A viewer of an H.264 stream (bench/android) offers H.264 Constrained Baseline, packetization mode 1,
/// any level (level-asymmetry-allowed), as Chrome does, instead of VP8.
enum BenchSDP {
    static func offer(credentials: LocalICECredentials, fingerprint: String, sending ssrc: UInt32?, codec: BenchCodec = .vp8) -> String {
        var lines = [
            "v=0", "o=- \(UInt32.random(in: 1...UInt32.max)) 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE 0", "a=extmap-allow-mixed", "a=msid-semantic: WMS",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:\(credentials.ufrag)", "a=ice-pwd:\(credentials.password)", "a=ice-options:trickle",
            "a=fingerprint:sha-256 \(fingerprint)", "a=setup:actpass", "a=mid:0",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
            ssrc == nil ? "a=recvonly" : "a=sendonly", "a=rtcp-mux", "a=rtcp-rsize",
        ] + codec.offerLines(payloadType: 96) + ["a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 ccm fir"]
        if let ssrc { lines += ["a=ssrc:\(ssrc) cname:sfu-bench", "a=msid:bench video"] }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A recvonly answer to Janus's offer: its VP8 payload type and mid, our ICE and DTLS parameters,
    /// `setup:active` (we are the DTLS client) and our host candidate, so no trickle is needed.
    static func answer(
        to remote: RemoteDescription, credentials: LocalICECredentials, fingerprint: String, candidateHost: String, candidatePort: UInt16
    ) -> String {
        let pt = remote.videoPayloadType
        let lines = [
            "v=0", "o=- \(UInt32.random(in: 1...UInt32.max)) 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE \(remote.mid)", "a=msid-semantic: WMS",
            "m=video 9 UDP/TLS/RTP/SAVPF \(pt)", "c=IN IP4 \(candidateHost)",
            "a=ice-ufrag:\(credentials.ufrag)", "a=ice-pwd:\(credentials.password)",
            "a=fingerprint:sha-256 \(fingerprint)", "a=setup:active", "a=mid:\(remote.mid)",
            "a=recvonly", "a=rtcp-mux", "a=rtcp-rsize",
            "a=rtpmap:\(pt) VP8/90000", "a=rtcp-fb:\(pt) nack", "a=rtcp-fb:\(pt) nack pli",
            "a=candidate:1 1 udp 2122260223 \(candidateHost) \(candidatePort) typ host", "a=end-of-candidates",
        ]
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// The video codec a synthetic viewer offers.
enum BenchCodec: String, ExpressibleByArgument, Sendable {
    case vp8, h264

    func offerLines(payloadType pt: Int) -> [String] {
        switch self {
        case .vp8: return ["a=rtpmap:\(pt) VP8/90000"]
        case .h264:
            return ["a=rtpmap:\(pt) H264/90000", "a=fmtp:\(pt) level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"]
        }
    }
}
