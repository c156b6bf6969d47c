@testable import SFU

/// Shared configuration for negotiator tests.
enum TestConfig {
    static let fingerprint: [UInt8] = (0..<32).map { UInt8($0 * 7 & 0xFF) }

    static let transport = SDPLocalTransport(
        iceUfrag: "sfuUfrag1234", icePwd: "sfuPassword0123456789abcd",
        fingerprintSHA256: fingerprint,
        candidates: [
            SDPHostCandidate(address: "203.0.113.5", port: 7881, family: .ipv4),
            SDPHostCandidate(address: "2001:db8::5", port: 7881, family: .ipv6),
        ])

    static let tracks = SDPOutgoingTracks(
        cname: "marionette",
        video: SDPOutgoingTrack(ssrc: 1001, rtxSSRC: 1002, streamID: "sv", trackID: "vt"),
        audio: SDPOutgoingTrack(ssrc: 2001, streamID: "sa", trackID: "at"))

    static func viewer(
        _ video: WebRTCCodec, audio: WebRTCCodec? = .opus, tracks: SDPOutgoingTracks = tracks
    ) -> SDPNegotiatorConfig {
        SDPNegotiatorConfig(
            role: .viewer(tracks), media: SDPStreamMedia(video: video, audio: audio), transport: transport, sessionID: 42)
    }

    static func publisher(_ videoCodecs: [WebRTCCodec], audio: WebRTCCodec? = .opus) -> SDPNegotiatorConfig {
        SDPNegotiatorConfig(
            role: .publisher, media: SDPStreamMedia(videoCodecs: videoCodecs, audioCodec: audio), transport: transport,
            sessionID: 43)
    }

    static func h264(_ hex: String) -> WebRTCCodec {
        .h264(WebRTCH264ProfileLevelID(hex: hex) ?? .impliedDefault)
    }
}

extension SDPMedia {
    /// Lines as text, for line-by-line assertions.
    var textLines: [String] { lines.map(\.description) }
}

extension String {
    /// Lines split at LF bytes (a CR before the LF stays on the line). Splitting on the
    /// Character "\n" would not work: Swift treats "\r\n" as one Character.
    var rawLines: [String] {
        utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Replaces the first line equal to `old` (whole line match), for building broken offers.
    func replacingLine(_ old: String, with new: String?) -> String {
        var lines = rawLines
        if let index = lines.firstIndex(where: { $0 == old || $0 == old + "\r" }) {
            if let new { lines[index] = new } else { lines.remove(at: index) }
        }
        return lines.joined(separator: "\n")
    }

    /// Removes every line for which `predicate` holds.
    func removingLines(where predicate: (String) -> Bool) -> String {
        rawLines
            .filter { !predicate($0.hasSuffix("\r") ? String($0.dropLast()) : $0) }
            .joined(separator: "\n")
    }
}
