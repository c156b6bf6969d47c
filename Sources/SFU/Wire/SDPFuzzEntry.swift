/// Fuzzing harness for the SDP parser, serializer and negotiator (libFuzzer-style entry point).
///
/// Invariants checked for any input: decoding never traps; when the input parses, its
/// serialization parses again to an equal session; the negotiator (with one of three fixed
/// configurations, picked from the input length) either answers or throws a typed error, and a
/// produced answer parses, has one m-line per offered m-line and the reported BUNDLE group. ``run(_:)`` traps only when an invariant is
/// violated — that is the crash the fuzzer reports; ``check(_:)`` returns the outcome instead.
public enum SDPFuzzEntry {
    /// What happened to one input.
    public enum Outcome: Sendable, Hashable {
        /// The input is not valid SDP (a typed parse error, as expected for most inputs).
        case rejectedByParser
        /// Parsed; the negotiator refused it with a typed error.
        case rejectedByNegotiator(SDPNegotiationError)
        /// Parsed and answered.
        case answered
        /// A bug: the message says which invariant broke.
        case invariantViolated(String)
    }

    /// libFuzzer-style entry: lossy UTF-8 decode, then ``check(_:)``; traps only on an invariant violation.
    public static func run(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        if case .invariantViolated(let message) = check(text) {
            fatalError("SDP fuzz invariant violated: \(message)")
        }
    }

    /// Runs the whole pipeline on `text` and reports the outcome.
    public static func check(_ text: String) -> Outcome {
        let session: SDPSession
        do {
            session = try SDPSession(parsing: text)
        } catch {
            return .rejectedByParser
        }
        let serialized = session.text
        do {
            let reparsed = try SDPSession(parsing: serialized)
            guard reparsed == session else { return .invariantViolated("re-parsed session differs from the original") }
            guard reparsed.text == serialized else { return .invariantViolated("serialization is not stable") }
        } catch {
            return .invariantViolated("serialized session does not parse: \(error.message)")
        }
        // One fixed configuration per input, chosen from the input so that runs are
        // reproducible and the viewer (VP8 + Opus), viewer (H.264, video-only) and publisher
        // paths are all exercised across a corpus.
        let config = configs[text.utf8.count % configs.count]
        let answer: SDPAnswer
        do {
            answer = try SDPNegotiator.negotiate(offer: session, config: config)
        } catch {
            return .rejectedByNegotiator(error)
        }
        do {
            let parsedAnswer = try SDPSession(parsing: answer.text)
            guard parsedAnswer.media.count == session.media.count else {
                return .invariantViolated("answer has \(parsedAnswer.media.count) m-lines, offer has \(session.media.count)")
            }
            guard parsedAnswer.bundleGroup?.mids == answer.negotiation.bundleMids else {
                return .invariantViolated("answer BUNDLE group does not match the negotiation result")
            }
        } catch {
            return .invariantViolated("answer does not parse: \(error.message)")
        }
        return .answered
    }

    /// A fixed viewer and publisher configuration so runs are reproducible.
    static let configs: [SDPNegotiatorConfig] = {
        let transport = SDPLocalTransport(
            iceUfrag: "fuzzufrag", icePwd: "fuzzpasswordfuzzpassword",
            fingerprintSHA256: (0..<32).map { UInt8($0) },
            candidates: [
                SDPHostCandidate(address: "192.0.2.1", port: 7881, family: .ipv4),
                SDPHostCandidate(address: "2001:db8::1", port: 7881, family: .ipv6),
            ])
        let tracks = SDPOutgoingTracks(
            cname: "fuzz",
            video: SDPOutgoingTrack(ssrc: 1111, rtxSSRC: 2222, streamID: "v", trackID: "video"),
            audio: SDPOutgoingTrack(ssrc: 3333, streamID: "a", trackID: "audio"))
        let h264 = WebRTCCodec.h264(WebRTCH264ProfileLevelID(profileIDC: 0x42, constraints: 0xE0, levelIDC: 0x1F))
        return [
            SDPNegotiatorConfig(
                role: .viewer(tracks), media: SDPStreamMedia(videoCodecs: [.vp8], audioCodec: .opus),
                transport: transport, sessionID: 1),
            SDPNegotiatorConfig(
                role: .viewer(tracks), media: SDPStreamMedia(videoCodecs: [h264], audioCodec: nil),
                transport: transport, sessionID: 2),
            SDPNegotiatorConfig(
                role: .publisher, media: SDPStreamMedia(videoCodecs: [.vp9, .vp8, h264], audioCodec: .opus),
                transport: transport, sessionID: 3),
        ]
    }()
}
