import Testing
@testable import SFU

@Suite("SDP parsing and serialization")
struct SDPParserTests {
    @Test("real offers parse and survive a round trip", arguments: SDPFixtures.all.map(\.name))
    func roundTrip(name: String) throws {
        let text = try #require(SDPFixtures.all.first { $0.name == name }?.text)
        let session = try SDPSession(parsing: text)
        let serialized = session.text
        #expect(serialized.hasSuffix("\r\n"))
        let bytes = Array(serialized.utf8)
        #expect(bytes.indices.allSatisfy { bytes[$0] != 0x0A || ($0 > 0 && bytes[$0 - 1] == 0x0D) })
        let reparsed = try SDPSession(parsing: serialized)
        #expect(reparsed == session)
        #expect(reparsed.text == serialized)
        // Every original non-empty line survives, in order.
        let original = text.rawLines.filter { !$0.isEmpty }.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        let output = serialized.rawLines.dropLast().map { String($0.dropLast()) }
        #expect(original == output)
    }

    @Test func chromeWHEPSessionAndMedia() throws {
        let session = try SDPSession(parsing: SDPFixtures.chromeWHEP)
        #expect(session.version == 0)
        #expect(session.origin.sessionID == "8302999682125171423")
        #expect(session.origin.sessionVersion == "3")
        #expect(session.sessionName == "-")
        #expect(session.timings == [SDPTiming(start: 0, stop: 0)])
        #expect(session.bundleGroup == SDPGroup(semantics: "BUNDLE", mids: ["0", "1", "2"]))
        #expect(session.extmapAllowMixed)
        #expect(session.msidSemantic == "WMS")
        #expect(session.media.map(\.kind) == ["video", "audio", "video"])

        let video = session.media[0]
        #expect(video.port == 52200)
        #expect(video.proto == "UDP/TLS/RTP/SAVPF")
        #expect(video.formats.count == 30)
        #expect(video.connection == SDPConnection(address: "186.50.9.10"))
        #expect(video.mid == "0")
        #expect(video.direction == .recvonly)
        #expect(video.rtcpMux && video.rtcpReducedSize)
        #expect(video.iceUfrag == "gydc")
        #expect(video.icePwd == "qEA+KCGezaoGknNYbpAADXBK")
        #expect(video.iceOptions == ["trickle"])
        #expect(video.setup == .actpass)
        #expect(video.rtpMap(for: 96) == SDPRtpMap(payloadType: 96, encodingName: "VP8", clockRate: 90000))
        #expect(video.fmtp(for: 97)?["apt"] == "96")
        #expect(video.fmtp(for: 108)?["profile-level-id"] == "42e01f")
        #expect(video.fmtp(for: 108)?["PACKETIZATION-MODE"] == "1")
        #expect(video.rtcpFeedback(for: 96).count == 5)
        #expect(video.extmaps.count == 11)
        #expect(video.extmaps[3] == SDPExtmap(id: 4, uri: SDPExtmap.URI.transportWideCC))
        #expect(video.candidates.count == 3)

        let audio = session.media[1]
        #expect(audio.rtpMap(for: 111) == SDPRtpMap(payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMap(for: 117)?.channels == 6)
        #expect(audio.fmtp(for: 63)?.parameters == [SDPFmtp.Parameter(key: "111/111")])
    }

    @Test func fingerprintIsDecodedToBytes() throws {
        let session = try SDPSession(parsing: SDPFixtures.chromeWHEP)
        let fingerprint = try #require(session.media[0].fingerprints.first)
        #expect(fingerprint.hashFunction == "sha-256")
        #expect(fingerprint.bytes.count == 32)
        #expect(fingerprint.bytes.prefix(4) == [0x03, 0x63, 0x4B, 0xE0])
        #expect(fingerprint.bytes.last == 0x6A)
        #expect(fingerprint.value == "sha-256 03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:1F:26:6A")
    }

    @Test func firefoxSessionLevelAttributes() throws {
        let session = try SDPSession(parsing: SDPFixtures.firefoxVideo)
        #expect(session.fingerprints.count == 1)
        #expect(session.media[0].fingerprints.isEmpty)
        #expect(session.direction == .sendrecv)
        #expect(session.iceOptions == ["trickle"])
        #expect(session.msidSemantic == "WMS *")
        let video = session.media[0]
        #expect(video.mid == "sdparta_0")
        #expect(video.endOfCandidates)
        #expect(video.msid == SDPMsid(
            streamID: "{38c9a1f0-d360-4ad8-afe3-4d7f6d4ae4e1}", trackID: "{d27161f3-ab5d-4aff-9dd8-4a24bfbe56d4}"))
        #expect(video.ssrcs == [SDPSsrc(ssrc: 3408404552, attribute: "cname", value: "{6f52d07e-17ef-42c5-932b-3b57c64fe049}")])
        let candidate = video.candidates[1]
        #expect(candidate.transport == "TCP")
        #expect(candidate.port == 9)
        #expect(candidate.tcpType == "active")
    }

    @Test func extmapDirectionIsParsed() throws {
        let session = try SDPSession(parsing: SDPFixtures.firefoxAudio)
        let extmaps = session.media[0].extmaps
        #expect(extmaps[0] == SDPExtmap(id: 1, direction: .sendonly, uri: "urn:ietf:params:rtp-hdrext:ssrc-audio-level"))
        #expect(extmaps[0].value == "1/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level")
        #expect(extmaps[1].direction == nil)
        #expect(session.media[0].rtpMap(for: 9)?.channels == 1)
    }

    @Test func ssrcGroupsAndSourceAttributes() throws {
        let session = try SDPSession(parsing: SDPFixtures.chromeWHIP)
        let video = session.media[1]
        #expect(video.ssrcGroups == [SDPSsrcGroup(semantics: "FID", ssrcs: [2136671120, 4095618910])])
        #expect(video.ssrcGroups[0].isFID && !video.ssrcGroups[0].isSIM)
        #expect(video.ssrcValues == [2136671120, 4095618910])
        let msid = try #require(video.ssrcs.first { $0.attribute == "msid" })
        #expect(msid.attributeValue == "7e6a14ae-056f-4694-9f91-ad56b2be20b8 a3eaa861-d14e-40be-990c-b937e72ac148")
        #expect(video.direction == .sendonly)
    }

    @Test func candidateWithRelatedAddressAndExtensions() throws {
        let value = "842163049 1 udp 1677729535 186.50.9.10 52200 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999"
        let candidate = try SDPCandidate(parsing: value)
        #expect(candidate.foundation == "842163049")
        #expect(candidate.component == 1)
        #expect(candidate.priority == 1677729535)
        #expect(candidate.address == "186.50.9.10")
        #expect(candidate.type == "srflx")
        #expect(candidate.relatedAddress == "0.0.0.0")
        #expect(candidate.relatedPort == 0)
        #expect(candidate.extensions == [.init(name: "generation", value: "0"), .init(name: "network-cost", value: "999")])
        #expect(candidate.value == value)
    }

    @Test func aiortcMultipleFingerprintsAndDataChannel() throws {
        let session = try SDPSession(parsing: SDPFixtures.aiortcAVData)
        #expect(session.media.map(\.kind) == ["audio", "video", "application"])
        #expect(session.media[0].fingerprints.map(\.hashFunction) == ["sha-256", "sha-384", "sha-512"])
        #expect(session.media[0].fingerprints.map(\.bytes.count) == [32, 48, 64])
        #expect(session.media[2].proto == "DTLS/SCTP")
        #expect(!session.media[2].isRTP && session.media[1].isRTP)
        #expect(session.media[2].formats == ["5000"])
        #expect(session.media[2].attribute(named: "sctpmap")?.value == "5000 webrtc-datachannel 65535")
    }

    @Test func lfAndCRLFParseToTheSameSession() throws {
        let lf = try SDPSession(parsing: SDPFixtures.chromeWHIP)
        let crlf = try SDPSession(parsing: SDPFixtures.crlf(SDPFixtures.chromeWHIP))
        #expect(lf == crlf)
        #expect(lf.text.contains("\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97"))
    }

    @Test func unknownLinesAndAttributesAreKept() throws {
        let text = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\ni=session info\nt=0 0\nz=0 0\na=x-custom:foo bar\na=flag\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\nk=prompt\na=weird:1:2\nb=AS:500\na=rtpmap:96 VP8/90000\n"
        let session = try SDPSession(parsing: text)
        #expect(session.lines.map(\.description) == ["i=session info", "t=0 0", "z=0 0", "a=x-custom:foo bar", "a=flag"])
        #expect(session.attribute(named: "flag") == SDPAttribute(name: "flag"))
        #expect(session.attribute(named: "x-custom")?.value == "foo bar")
        #expect(session.media[0].textLines == ["k=prompt", "a=weird:1:2", "b=AS:500", "a=rtpmap:96 VP8/90000"])
        #expect(session.media[0].bandwidths == [SDPBandwidth(type: "AS", bandwidth: 500)])
        #expect(session.media[0].attribute(named: "weird")?.value == "1:2")
        #expect(session.text == text.split(separator: "\n").map { $0 + "\r\n" }.joined())
    }

    @Test func portCountAndNonNumericFormats() throws {
        let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9/2 UDP/DTLS/SCTP webrtc-datachannel\r\n"
        let session = try SDPSession(parsing: text)
        #expect(session.media[0].port == 9)
        #expect(session.media[0].portCount == 2)
        #expect(session.media[0].payloadTypes.isEmpty)
        #expect(session.media[0].mediaLineValue == "application 9/2 UDP/DTLS/SCTP webrtc-datachannel")
        #expect(session.text == text)
    }

    static let brokenLines: [(line: String, fragment: String)] = [
        ("a=rtpmap:x VP8/90000", "payload type"),
        ("a=rtpmap:96 VP8", "encoding"),
        ("a=rtpmap:96 VP8/abc", "clock rate"),
        ("a=fingerprint:sha-256 03:63:4B", "32 bytes"),
        ("a=fingerprint:sha-256 0G:63", "hex"),
        ("a=setup:sideways", "setup"),
        ("a=extmap:0 urn:x", "extmap id"),
        ("a=extmap:3/upward urn:x", "direction"),
        ("a=ssrc:99999999999 cname:x", "32-bit"),
        ("a=ssrc-group:FID abc", "ssrc-group"),
        ("a=candidate:1 1 udp 1 1.2.3.4 99999 typ host", "port"),
        ("a=candidate:1 1 udp 1 1.2.3.4 5 type host", "typ"),
        ("a=candidate:1 1 udp 1 1.2.3.4 5 typ host raddr", "no value"),
        ("a=mid:", "mid"),
        ("a=ice-ufrag:a b", "ice-ufrag"),
        ("a=rtcp-fb:abc nack", "rtcp-fb"),
        ("c=IN IP4", "connection"),
        ("b=AS", "bandwidth"),
        ("m=video x UDP/TLS/RTP/SAVPF 96", "port"),
        ("m=video 9 UDP/TLS/RTP/SAVPF", "media line"),
        ("A=bad", "<type>=<value>"),
        ("garbage", "<type>=<value>"),
        ("o=- 1 2", "unexpected o="),
    ]

    @Test("typed errors name the offending line", arguments: brokenLines.indices)
    func brokenLineIsReported(index: Int) throws {
        let (line, fragment) = Self.brokenLines[index]
        let text = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=video 9 UDP/TLS/RTP/SAVPF 96\n\(line)\na=mid:0\n"
        let error = #expect(throws: SDPParseError.self) { try SDPSession(parsing: text) }
        #expect(error?.lineNumber == 6)
        #expect(error?.line == line)
        #expect(error?.message.contains("line 6") == true)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "") should mention \(fragment)")
    }

    @Test func structuralErrors() {
        #expect(throws: SDPParseError.self) { try SDPSession(parsing: "") }
        #expect(throws: SDPParseError.self) { try SDPSession(parsing: "o=- 1 1 IN IP4 0.0.0.0\nv=0\n") }
        #expect(throws: SDPParseError.self) { try SDPSession(parsing: "v=1\no=- 1 1 IN IP4 0.0.0.0\ns=-\n") }
        #expect(throws: SDPParseError.self) { try SDPSession(parsing: "v=0\ns=-\nt=0 0\n") }
        #expect(throws: SDPParseError.self) { try SDPSession(parsing: "v=0\no=- 1 1 IN IP4 0.0.0.0\nt=0 0\n") }
        let inMedia = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 9 RTP/AVP 0\nt=0 0\n"
        let error = #expect(throws: SDPParseError.self) { try SDPSession(parsing: inMedia) }
        #expect(error?.lineNumber == 5)
    }

    @Test func typedValuesSerializeCanonically() throws {
        #expect(try SDPRtpMap(parsing: "111 opus/48000/2").value == "111 opus/48000/2")
        #expect(try SDPFmtp(parsing: "108 level-asymmetry-allowed=1; packetization-mode=1;profile-level-id=42e01f").value
            == "108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
        #expect(try SDPRtcpFeedback(parsing: "96 ccm fir").value == "96 ccm fir")
        #expect(try SDPRtcpFeedback(parsing: "* nack").applies(to: 100))
        #expect(try SDPGroup(parsing: "BUNDLE 0 1").value == "BUNDLE 0 1")
        #expect(try SDPSsrcGroup(parsing: "SIM 1 2 3").isSIM)
        #expect(try SDPSetupRole(parsing: " PASSIVE ") == .passive)
        #expect(try SDPFingerprint(parsing: "SHA-1 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33").value
            == "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33")
        #expect(SDPDirection.sendonly.reversed == .recvonly && SDPDirection.inactive.reversed == .inactive)
    }
}
