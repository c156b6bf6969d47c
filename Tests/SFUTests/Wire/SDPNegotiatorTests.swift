import Testing
@testable import SFU

@Suite("SDP negotiation: WHEP viewers")
struct SDPViewerNegotiationTests {
    static let fingerprintLine =
        "a=fingerprint:sha-256 " + TestConfig.fingerprint.map { SDPText.hexByte($0, uppercase: true) }.joined(separator: ":")
    static let candidateLines = [
        "a=candidate:1 1 udp 2130706431 203.0.113.5 7881 typ host",
        "a=candidate:2 1 udp 2130706175 2001:db8::5 7881 typ host",
        "a=end-of-candidates",
    ]

    @Test func chromeWHEPWithVP8AndOpusGolden() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(.vp8))
        let session = answer.session
        #expect(session.lines.map(\.description) == [
            "t=0 0", "a=ice-lite", "a=group:BUNDLE 0 1", "a=msid-semantic: WMS sv sa",
        ])
        #expect(session.origin.value == "- 42 2 IN IP4 127.0.0.1")
        #expect(session.media.map(\.mediaLineValue) == [
            "video 7881 UDP/TLS/RTP/SAVPF 96 97",
            "audio 7881 UDP/TLS/RTP/SAVPF 111",
            "video 0 UDP/TLS/RTP/SAVPF 96",
        ])
        let transport = [
            "c=IN IP4 203.0.113.5", "a=ice-ufrag:sfuUfrag1234", "a=ice-pwd:sfuPassword0123456789abcd",
            Self.fingerprintLine, "a=setup:passive",
        ]
        #expect(session.media[0].textLines == transport + [
            "a=mid:0",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
            "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=sendonly",
            "a=msid:sv vt",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:96 VP8/90000",
            "a=rtcp-fb:96 nack",
            "a=rtcp-fb:96 nack pli",
            "a=rtcp-fb:96 ccm fir",
            "a=rtcp-fb:96 goog-remb",
            "a=rtpmap:97 rtx/90000",
            "a=fmtp:97 apt=96",
            "a=ssrc-group:FID 1001 1002",
            "a=ssrc:1001 cname:marionette",
            "a=ssrc:1001 msid:sv vt",
            "a=ssrc:1002 cname:marionette",
            "a=ssrc:1002 msid:sv vt",
        ] + Self.candidateLines)
        #expect(session.media[1].textLines == transport + [
            "a=mid:1",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=sendonly",
            "a=msid:sa at",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=ssrc:2001 cname:marionette",
            "a=ssrc:2001 msid:sa at",
        ] + Self.candidateLines)
        // The second video m-line cannot be served: rejected and out of BUNDLE.
        #expect(session.media[2].textLines == ["c=IN IP4 0.0.0.0", "a=mid:2", "a=inactive"])
        // The answer text is valid SDP with CRLF line ends.
        #expect(try SDPSession(parsing: answer.text) == session)
        #expect(answer.text.hasPrefix("v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"))
    }

    @Test func chromeWHEPNegotiationResult() throws {
        let result = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(.vp8)).negotiation
        #expect(result.videoPayloadType == 96)
        #expect(result.rtxPayloadType == 97)
        #expect(result.audioPayloadType == 111)
        #expect(result.video.mid == "0" && result.audio?.mid == "1")
        #expect(result.video.headerExtensions == SDPHeaderExtensionIDs(mid: 9, absSendTime: 2, transportWideCC: nil, playoutDelay: 5))
        #expect(result.audio?.headerExtensions == SDPHeaderExtensionIDs(mid: 9, absSendTime: 2, transportWideCC: nil))
        #expect(result.video.feedback == [.nack, .pli, .fir, .remb])  // transport-cc: not until TWCC feedback exists
        #expect(result.audio?.feedback == [])
        #expect(result.remoteICEUfrag == "gydc")
        #expect(result.remoteICEPwd == "qEA+KCGezaoGknNYbpAADXBK")
        #expect(result.remoteFingerprint.hashFunction == "sha-256")
        #expect(result.remoteFingerprint.bytes.first == 0x03)
        #expect(result.dtlsRole == .server)
        #expect(result.rtcpReducedSize)
        #expect(result.bundleMids == ["0", "1"])
        #expect(result.offeredSSRCsByMid.isEmpty)
    }

    @Test func chromeWHEPWithConstrainedBaselineH264() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(TestConfig.h264("42e01f")))
        let video = answer.session.media[0]
        // 127 is Baseline (42001f), 125 is packetization-mode 0; 108 is the first Constrained Baseline pm=1.
        #expect(video.mediaLineValue == "video 7881 UDP/TLS/RTP/SAVPF 108 109")
        #expect(video.textLines.contains("a=rtpmap:108 H264/90000"))
        #expect(video.textLines.contains("a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"))
        #expect(video.textLines.contains("a=fmtp:109 apt=108"))
        #expect(answer.negotiation.video.codec == TestConfig.h264("42e01f"))
    }

    @Test func h264HigherSourceLevelNeedsAsymmetry() throws {
        // Source at level 4.0 (0x28); Chrome offers 42e01f (3.1) with level-asymmetry-allowed=1.
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(TestConfig.h264("42e028")))
        #expect(answer.session.media[0].textLines.contains(
            "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e028"))
        // Without the asymmetry flag the same offer is refused.
        let noAsymmetry = SDPFixtures.chromeWHEP.removingLines { $0.hasPrefix("a=fmtp:") && $0.contains("profile-level-id") }
            .replacingLine("a=fmtp:97 apt=96", with: "a=fmtp:97 apt=96\na=fmtp:108 packetization-mode=1;profile-level-id=42e01f")
        #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: noAsymmetry, config: TestConfig.viewer(TestConfig.h264("42e028")))
        }
        // A lower source level is fine without asymmetry.
        let ok = try SDPNegotiator.negotiate(offer: noAsymmetry, config: TestConfig.viewer(TestConfig.h264("42e015")))
        #expect(ok.session.media[0].textLines.contains("a=fmtp:108 packetization-mode=1;profile-level-id=42e015"))
    }

    @Test func h264LevelTooLowWithoutAsymmetryIsUnsupported() throws {
        // aiortc offers level-asymmetry-allowed=1; strip it to test the level rule.
        let offer = SDPFixtures.aiortcAVData.replacingLine(
            "a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r",
            with: "a=fmtp:101 packetization-mode=1;profile-level-id=42e01f\r")
        let error = #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(TestConfig.h264("42e032")))
        }
        #expect(error?.apiCode == "unsupported_codec")
        #expect(error?.reason.contains("42e032") == true)
    }

    @Test func h264ProfileMismatchIsUnsupported() {
        // High profile 640c1f is not offered by this Chromium build (it offers 4d001f and f4001f).
        let error = #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(TestConfig.h264("640c1f")))
        }
        #expect(error == .unsupportedCodec(error?.reason ?? ""))
        // Constraint flags must match exactly: 42c01f is not 42e01f (streaming.md §3.3).
        #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: SDPFixtures.aiortcVideo, config: TestConfig.viewer(TestConfig.h264("42c01f")))
        }
    }

    @Test func h264PacketizationModeZeroIsNeverChosen() throws {
        let offer = SDPFixtures.chromeWHEP.removingLines {
            $0.hasPrefix("a=fmtp:") && $0.contains("packetization-mode=1")
        }
        #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(TestConfig.h264("42e01f")))
        }
    }

    @Test func vp9ProfileZeroOnly() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(.vp9))
        #expect(answer.session.media[0].mediaLineValue == "video 7881 UDP/TLS/RTP/SAVPF 98 99")
        #expect(answer.session.media[0].textLines.contains("a=fmtp:98 profile-id=0"))
        let onlyProfile2 = SDPFixtures.chromeWHEP.replacingLine("a=fmtp:98 profile-id=0", with: "a=fmtp:98 profile-id=2")
        let second = try SDPNegotiator.negotiate(offer: onlyProfile2, config: TestConfig.viewer(.vp9))
        // mid 0 no longer offers profile 0; the next video m-line (mid 2) still does.
        #expect(second.negotiation.video.mid == "2")
        #expect(second.session.media[0].port == 0)
        #expect(second.negotiation.bundleMids == ["1", "2"])
    }

    @Test func videoOnlyStreamAnswersAudioInactive() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(.vp8, audio: nil))
        let audio = answer.session.media[1]
        #expect(audio.port == 7881)
        #expect(audio.formats == ["111"])
        #expect(audio.direction == .inactive)
        #expect(audio.msid == nil && audio.ssrcs.isEmpty && audio.extmaps.isEmpty && audio.rtcpFeedback.isEmpty)
        #expect(audio.rtcpMux)
        #expect(answer.negotiation.audio == nil)
        #expect(answer.negotiation.bundleMids == ["0", "1"])
        #expect(answer.session.msidSemantic == "WMS sv")
    }

    @Test func rtxOmittedWithoutRTXSSRC() throws {
        var tracks = TestConfig.tracks
        tracks.video.rtxSSRC = nil
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.viewer(.vp8, tracks: tracks))
        let video = answer.session.media[0]
        #expect(video.formats == ["96"])
        #expect(video.ssrcGroups.isEmpty)
        #expect(video.textLines.contains("a=ssrc:1001 cname:marionette"))
        #expect(answer.negotiation.rtxPayloadType == nil)
    }

    @Test func onlyOfferedFeedbackAndExtensionsAreAnswered() throws {
        let offer = SDPFixtures.chromeWHEP
            .removingLines { $0 == "a=rtcp-fb:96 goog-remb" || $0 == "a=rtcp-fb:96 ccm fir" }
            .removingLines { $0.hasPrefix("a=extmap:5 ") || $0.hasPrefix("a=extmap:2 ") }
            .replacingLine("a=rtcp-rsize", with: nil)
        let answer = try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(.vp8))
        let video = answer.session.media[0]
        #expect(video.rtcpFeedback.map(\.value) == ["96 nack", "96 nack pli"])
        #expect(video.extmaps.map(\.id) == [9])
        #expect(!video.rtcpReducedSize)
        #expect(answer.negotiation.video.feedback == [.nack, .pli])
        #expect(answer.negotiation.video.headerExtensions.absSendTime == nil)
        #expect(answer.negotiation.video.headerExtensions.transportWideCC == nil)
        #expect(!answer.negotiation.rtcpReducedSize)
    }

    @Test func wildcardFeedbackAndAbsCaptureTime() throws {
        let offer = SDPFixtures.firefoxVideo
            .replacingLine("a=rtcp-mux", with: "a=rtcp-mux\na=rtcp-fb:* transport-cc")
            .replacingLine("a=extmap:5 urn:ietf:params:rtp-hdrext:toffset",
                           with: "a=extmap:7/recvonly http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time")
        let answer = try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(.vp8))
        let video = answer.session.media[0]
        #expect(!video.textLines.contains("a=rtcp-fb:120 transport-cc"))
        #expect(video.textLines.contains("a=extmap:7/sendonly http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"))
        #expect(answer.negotiation.video.headerExtensions.absCaptureTime == 7)
    }

    @Test func firefoxSessionLevelFingerprint() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.firefoxVideo, config: TestConfig.viewer(.vp9))
        let result = answer.negotiation
        #expect(result.remoteFingerprint.bytes.first == 0xAF)
        #expect(result.remoteICEUfrag == "1a0e6b24")
        #expect(result.remoteICEPwd == "c43b0306087bb4de15f70e4405c4dafe")
        #expect(result.videoPayloadType == 121)
        #expect(result.rtxPayloadType == nil)
        #expect(result.video.feedback == [.nack, .pli, .fir, .remb])
        #expect(result.video.headerExtensions == SDPHeaderExtensionIDs(mid: 3, absSendTime: 4))
        #expect(result.audio == nil)
        #expect(answer.session.bundleGroup?.mids == ["sdparta_0"])
        #expect(answer.session.media[0].direction == .sendonly)
        #expect(answer.session.media[0].mid == "sdparta_0")
    }

    @Test func aiortcOfferRejectsDataChannel() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.aiortcAVData, config: TestConfig.viewer(TestConfig.h264("42e01f")))
        let media = answer.session.media
        #expect(media.map(\.mediaLineValue) == [
            "audio 7881 UDP/TLS/RTP/SAVPF 96",
            "video 7881 UDP/TLS/RTP/SAVPF 101 102",
            "application 0 DTLS/SCTP 5000",
        ])
        #expect(media[0].direction == .sendonly)
        #expect(media[2].textLines == ["c=IN IP4 0.0.0.0", "a=mid:2", "a=inactive"])
        #expect(answer.session.bundleGroup?.mids == ["0", "1"])
        let result = answer.negotiation
        #expect(result.remoteFingerprint.hashFunction == "sha-256")
        #expect(result.remoteFingerprint.bytes.count == 32)
        #expect(result.video.headerExtensions == SDPHeaderExtensionIDs(mid: 1, absSendTime: 3))
        #expect(result.audio?.headerExtensions == SDPHeaderExtensionIDs(mid: 1))
        #expect(result.audio?.feedback == [])
        #expect(result.videoPayloadType == 101 && result.rtxPayloadType == 102 && result.audioPayloadType == 96)
    }

    @Test func setupRoles() throws {
        let passive = SDPFixtures.aiortcVideo.replacingLine("a=setup:actpass\r", with: "a=setup:passive\r")
        let answer = try SDPNegotiator.negotiate(offer: passive, config: TestConfig.viewer(.vp8))
        #expect(answer.negotiation.dtlsRole == .client)
        #expect(answer.session.media[0].setup == .active)

        let active = SDPFixtures.aiortcVideo.replacingLine("a=setup:actpass\r", with: "a=setup:active\r")
        let activeAnswer = try SDPNegotiator.negotiate(offer: active, config: TestConfig.viewer(.vp8))
        #expect(activeAnswer.negotiation.dtlsRole == .server)
        #expect(activeAnswer.session.media[0].setup == .passive)

        let hold = SDPFixtures.aiortcVideo.replacingLine("a=setup:actpass\r", with: "a=setup:holdconn\r")
        #expect(throws: SDPNegotiationError.invalidSDP("a=setup:holdconn cannot establish DTLS")) {
            try SDPNegotiator.negotiate(offer: hold, config: TestConfig.viewer(.vp8))
        }
    }

    @Test func ipv6DefaultCandidate() throws {
        var config = TestConfig.viewer(.vp8)
        config.transport.candidates = [SDPHostCandidate(address: "2001:db8::7", port: 7882, family: .ipv6)]
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.aiortcVideo, config: config)
        #expect(answer.session.media[0].connection == SDPConnection(addressType: "IP6", address: "2001:db8::7"))
        #expect(answer.session.media[0].port == 7882)
        #expect(answer.session.media[0].candidates.map(\.address) == ["2001:db8::7"])
    }
}

@Suite("SDP negotiation: WHIP publishers")
struct SDPPublisherNegotiationTests {
    @Test func chromeWHIPSendonlyVP8() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHIP, config: TestConfig.publisher([.vp8]))
        let media = answer.session.media
        #expect(media.map(\.mediaLineValue) == ["audio 7881 UDP/TLS/RTP/SAVPF 111", "video 7881 UDP/TLS/RTP/SAVPF 96 97"])
        #expect(media.allSatisfy { $0.direction == .recvonly })
        #expect(media.allSatisfy { $0.msid == nil && $0.ssrcs.isEmpty })
        #expect(media[1].textLines.contains("a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"))
        #expect(answer.session.msidSemantic == "WMS")

        let result = answer.negotiation
        #expect(result.role == .publisher)
        #expect(result.videoPayloadType == 96 && result.rtxPayloadType == 97 && result.audioPayloadType == 111)
        #expect(result.video.remoteSSRCs == [2136671120, 4095618910])
        #expect(result.video.remoteRTXSSRCs == [2136671120: 4095618910])
        #expect(result.audio?.remoteSSRCs == [2550536406])
        #expect(result.offeredSSRCsByMid == ["0": [2550536406], "1": [2136671120, 4095618910]])
        #expect(result.video.headerExtensions == SDPHeaderExtensionIDs(mid: 4, absSendTime: 2, transportWideCC: 3, playoutDelay: 12))
        // Publishers get transport-cc (the SFU answers with TWCC feedback); viewers do not (above).
        #expect(result.video.feedback == [.nack, .pli, .fir, .remb, .transportCC])
        #expect(media[1].textLines.contains("a=rtcp-fb:96 transport-cc"))
        #expect(media[1].textLines.contains("a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"))
        #expect(media[0].textLines.contains("a=rtcp-fb:111 transport-cc"))
    }

    @Test func publisherCodecPreferenceAndH264Profile() throws {
        let vp9First = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHIP, config: TestConfig.publisher([.vp9, .vp8]))
        #expect(vp9First.negotiation.videoPayloadType == 98)
        #expect(vp9First.negotiation.rtxPayloadType == 99)

        // High profile 640032 offered; the publisher's level is accepted as offered.
        let high = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHIP, config: TestConfig.publisher([TestConfig.h264("64001f")]))
        #expect(high.negotiation.videoPayloadType == 123)
        #expect(high.session.media[1].textLines.contains(
            "a=fmtp:123 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032"))
        #expect(high.negotiation.video.codec == TestConfig.h264("640032"))
    }

    @Test func simulcastOfferKeepsFirstCameraAndDropsLayers() throws {
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHIPSimulcast, config: TestConfig.publisher([.vp8]))
        let media = answer.session.media
        #expect(media.map(\.port) == [7881, 7881, 0, 0])
        #expect(answer.negotiation.bundleMids == ["0", "1"])
        #expect(!media[0].hasAttribute("simulcast") && !media[0].hasAttribute("rid"))
        // Opus is the second format of mid 1 (after RED); its payload type is reused.
        #expect(answer.negotiation.audioPayloadType == 111)
        #expect(answer.negotiation.offeredSSRCsByMid["2"] == [4072017687, 3466187747])
    }

    @Test func recvonlyOfferToWHIPIsInvalid() {
        #expect(throws: SDPNegotiationError.invalidSDP("video m-line direction must be sendonly or sendrecv")) {
            try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHEP, config: TestConfig.publisher([.vp8]))
        }
    }

    @Test func audioMismatchForPublisherIsInactive() throws {
        // The stream is video-only: the publisher's audio m-line is kept inactive.
        let answer = try SDPNegotiator.negotiate(offer: SDPFixtures.chromeWHIP, config: TestConfig.publisher([.vp8], audio: nil))
        #expect(answer.session.media[0].direction == .inactive)
        #expect(answer.negotiation.audio == nil)
    }
}

@Suite("SDP negotiation: invalid offers")
struct SDPInvalidOfferTests {
    @Test func noBundleGroup() {
        let offer = SDPFixtures.chromeWHEP.replacingLine("a=group:BUNDLE 0 1 2", with: nil)
        let error = #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(.vp8))
        }
        #expect(error?.apiCode == "invalid_sdp")
        #expect(error?.reason.contains("BUNDLE") == true)
    }

    @Test func bundleNamesUnknownMid() {
        let offer = SDPFixtures.chromeWHEP.replacingLine("a=group:BUNDLE 0 1 2", with: "a=group:BUNDLE 0 1 7")
        #expect(throws: SDPNegotiationError.invalidSDP("BUNDLE group names mid \"7\" but no m-line has it")) {
            try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(.vp8))
        }
    }

    @Test func noRtcpMuxInBundledMLine() {
        // Remove rtcp-mux from the audio m-line only.
        let audioStart = SDPFixtures.chromeWHEP.split(separator: "m=audio", maxSplits: 1)
        let offer = String(audioStart[0]) + "m=audio" + String(audioStart[1]).replacingLine("a=rtcp-mux", with: nil)
        #expect(throws: SDPNegotiationError.invalidSDP("bundled m-line mid \"1\" has no a=rtcp-mux (RFC 5761)")) {
            try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(.vp8))
        }
    }

    @Test func noFingerprint() {
        let offer = SDPFixtures.chromeWHEP.removingLines { $0.hasPrefix("a=fingerprint:") }
        #expect(throws: SDPNegotiationError.invalidSDP("offer has no DTLS a=fingerprint (RFC 8122)")) {
            try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(.vp8))
        }
        let firefox = SDPFixtures.firefoxVideo.removingLines { $0.hasPrefix("a=fingerprint:") }
        #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: firefox, config: TestConfig.viewer(.vp8))
        }
    }

    @Test func noICECredentials() {
        let noPwd = SDPFixtures.firefoxVideo.removingLines { $0.hasPrefix("a=ice-pwd:") }
        #expect(throws: SDPNegotiationError.invalidSDP("offer has no a=ice-ufrag/a=ice-pwd")) {
            try SDPNegotiator.negotiate(offer: noPwd, config: TestConfig.viewer(.vp8))
        }
        let noUfrag = SDPFixtures.chromeWHIP.removingLines { $0.hasPrefix("a=ice-ufrag:") }
        #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: noUfrag, config: TestConfig.publisher([.vp8]))
        }
    }

    @Test func codecMissing() {
        let error = #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: SDPFixtures.firefoxVideo, config: TestConfig.viewer(TestConfig.h264("42e01f")))
        }
        #expect(error?.apiCode == "unsupported_codec")
        #expect(error?.reason.contains("offered: VP8/90000 (max-fs=12288;max-fr=60), VP9/90000") == true)
    }

    @Test func audioOnlyOfferHasNoVideo() {
        #expect(throws: SDPNegotiationError.unsupportedCodec("offer has no bundled video m-line")) {
            try SDPNegotiator.negotiate(offer: SDPFixtures.firefoxAudio, config: TestConfig.viewer(.vp8))
        }
    }

    @Test func malformedOfferIsInvalidSDP() {
        let offer = SDPFixtures.chromeWHEP.replacingLine("a=rtpmap:96 VP8/90000", with: "a=rtpmap:96 VP8")
        let error = #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.negotiate(offer: offer, config: TestConfig.viewer(.vp8))
        }
        #expect(error?.apiCode == "invalid_sdp")
        #expect(error?.reason.hasPrefix("line 34 \"a=rtpmap:96 VP8\"") == true)
    }
}
