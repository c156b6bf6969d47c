/// Builds the SFU's answer to a WHEP (viewer) or WHIP (publisher) offer (streaming.md §3.3).
///
/// Decisions, per RFC 3264, RFC 8829 (JSEP), RFC 8843/9143 (BUNDLE):
/// - The answer has exactly the offer's m-lines, in order.
/// - One video and at most one audio m-line are served: the first bundled, non-rejected m-line
///   of each kind whose direction allows the SFU's flow (and, for video, offers the codec).
/// - The audio m-line of a video-only stream is answered `a=inactive` with a nonzero port and
///   stays in BUNDLE (streaming.md §3.3; it keeps the transport valid and costs nothing). When
///   the offer has no Opus there, or the stream has audio but the m-line cannot carry it, the
///   m-line is rejected instead.
/// - Every other m-line (second video, `application`, unknown kinds, m-lines outside the BUNDLE
///   group or already rejected by the offerer) is rejected: port 0, `a=inactive`, and its mid
///   leaves the BUNDLE group (RFC 9143 §7.3.3). The first mid of the answer's group is the
///   answerer-tagged m-line.
/// - Transport attributes (`ice-ufrag`, `ice-pwd`, `fingerprint`, `setup`), `rtcp-mux` and the
///   host candidates are written on every non-rejected m-line, like browsers' own descriptions.
/// - Simulcast (`a=simulcast`/`a=rid`) is not answered, so a publisher falls back to sending its
///   first encoding only (layers are LATER in the spec).
/// - `a=extmap-allow-mixed` is not answered: the SFU writes one-byte header extensions only.
public enum SDPNegotiator {
    /// Parses `offer` and negotiates it.
    public static func negotiate(offer: String, config: SDPNegotiatorConfig) throws(SDPNegotiationError) -> SDPAnswer {
        let session: SDPSession
        do {
            session = try SDPSession(parsing: offer)
        } catch {
            throw .invalidSDP(error.message)
        }
        return try negotiate(offer: session, config: config)
    }

    /// Negotiates an already parsed offer.
    public static func negotiate(offer: SDPSession, config: SDPNegotiatorConfig) throws(SDPNegotiationError) -> SDPAnswer {
        let sections = offer.media.map(OfferedMedia.init)
        let transport = try RemoteTransport(offer: offer, sections: sections)
        let plan = try Plan(offer: offer, sections: sections, bundled: transport.bundledIndices, config: config)
        return build(offer: offer, sections: sections, plan: plan, remote: transport, config: config)
    }

    // MARK: - Offer transport checks

    /// ICE/DTLS parameters of the offer, taken from the offerer-tagged m-line (first bundled,
    /// non-rejected mid) with session-level values as fallback.
    struct RemoteTransport {
        var bundledIndices: Set<Int>
        var ufrag: String
        var pwd: String
        var fingerprint: SDPFingerprint
        var dtlsRole: SDPDTLSRole

        init(offer: SDPSession, sections: [OfferedMedia]) throws(SDPNegotiationError) {
            guard let bundle = offer.bundleGroup, !bundle.mids.isEmpty else {
                throw .invalidSDP("offer has no a=group:BUNDLE (RFC 9143)")
            }
            var bundled = Set<Int>()
            var tagged: OfferedMedia?
            for mid in bundle.mids {
                guard let index = sections.firstIndex(where: { $0.mid == mid }) else {
                    throw .invalidSDP("BUNDLE group names mid \"\(mid)\" but no m-line has it")
                }
                bundled.insert(index)
                if tagged == nil, !sections[index].isRejected { tagged = sections[index] }
            }
            guard let tagged else { throw .invalidSDP("every m-line of the BUNDLE group is rejected") }
            for index in bundled.sorted() {
                let section = sections[index]
                if section.media.isRTP, !section.isRejected, !section.rtcpMux {
                    throw .invalidSDP("bundled m-line mid \"\(section.mid ?? "")\" has no a=rtcp-mux (RFC 5761)")
                }
            }
            guard let ufrag = tagged.iceUfrag ?? offer.iceUfrag, let pwd = tagged.icePwd ?? offer.icePwd else {
                throw .invalidSDP("offer has no a=ice-ufrag/a=ice-pwd")
            }
            let fingerprints = tagged.fingerprints.isEmpty ? offer.fingerprints : tagged.fingerprints
            guard let fingerprint = fingerprints.first(where: { $0.hashFunction == "sha-256" }) ?? fingerprints.first else {
                throw .invalidSDP("offer has no DTLS a=fingerprint (RFC 8122)")
            }
            // RFC 4145 makes an absent a=setup mean "active"; either way the SFU is passive.
            switch tagged.setup ?? offer.setup ?? .actpass {
            case .actpass, .active: dtlsRole = .server
            case .passive: dtlsRole = .client
            case .holdconn: throw .invalidSDP("a=setup:holdconn cannot establish DTLS")
            }
            self.bundledIndices = bundled
            self.ufrag = ufrag
            self.pwd = pwd
            self.fingerprint = fingerprint
        }
    }

    // MARK: - Per m-line view of the offer

    /// An offered m-line with the attributes the negotiator reads, collected in one pass.
    struct OfferedMedia {
        var media: SDPMedia
        var mid: String?
        var rtpMaps: [UInt8: SDPRtpMap] = [:]
        var fmtps: [UInt8: SDPFmtp] = [:]
        var feedback: [SDPRtcpFeedback] = []
        var extmaps: [SDPExtmap] = []
        /// RFC 8866 §6.7: `sendrecv` when absent.
        var direction: SDPDirection = .sendrecv
        var rtcpMux = false
        var rtcpReducedSize = false
        var bundleOnly = false
        var iceUfrag: String?
        var icePwd: String?
        var fingerprints: [SDPFingerprint] = []
        var setup: SDPSetupRole?
        /// Distinct `a=ssrc` values in order.
        var ssrcs: [UInt32] = []
        /// `a=ssrc-group:FID` pairs: media SSRC → RTX SSRC.
        var rtxSSRCs: [UInt32: UInt32] = [:]

        init(_ media: SDPMedia) {
            self.media = media
            var seenSSRCs = Set<UInt32>()
            for line in media.lines where line.type == "a" {
                let attribute = SDPAttribute(lineValue: line.value)
                let value = attribute.value ?? ""
                switch attribute.name {
                case "mid": if mid == nil { mid = attribute.trimmedValue }
                case "rtpmap":
                    if let map = try? SDPRtpMap(parsing: value), rtpMaps[map.payloadType] == nil { rtpMaps[map.payloadType] = map }
                case "fmtp":
                    if let fmtp = try? SDPFmtp(parsing: value), let pt = fmtp.payloadType, fmtps[pt] == nil { fmtps[pt] = fmtp }
                case "rtcp-fb": if let entry = try? SDPRtcpFeedback(parsing: value) { feedback.append(entry) }
                case "extmap": if let ext = try? SDPExtmap(parsing: value) { extmaps.append(ext) }
                case "rtcp-mux": rtcpMux = true
                case "rtcp-rsize": rtcpReducedSize = true
                case "bundle-only": bundleOnly = true
                case "ice-ufrag": if iceUfrag == nil { iceUfrag = attribute.trimmedValue }
                case "ice-pwd": if icePwd == nil { icePwd = attribute.trimmedValue }
                case "fingerprint": if let fingerprint = try? SDPFingerprint(parsing: value) { fingerprints.append(fingerprint) }
                case "setup": if setup == nil { setup = try? SDPSetupRole(parsing: value) }
                case "ssrc":
                    if let ssrc = try? SDPSsrc(parsing: value), seenSSRCs.insert(ssrc.ssrc).inserted { ssrcs.append(ssrc.ssrc) }
                case "ssrc-group":
                    if let group = try? SDPSsrcGroup(parsing: value), group.isFID, group.ssrcs.count == 2 {
                        rtxSSRCs[group.ssrcs[0]] = group.ssrcs[1]
                    }
                default:
                    if attribute.value == nil, let parsed = SDPDirection(rawValue: attribute.name) { direction = parsed }
                }
            }
        }

        /// Rejected or disabled by the offerer: port 0 and not `bundle-only`.
        var isRejected: Bool { media.port == 0 && !bundleOnly }

        /// Payload types in the offerer's preference order, each with its rtpmap.
        var codecs: [(UInt8, SDPRtpMap)] {
            media.payloadTypes.compactMap { pt in rtpMaps[pt].map { (pt, $0) } }
        }

        func allows(_ role: SDPPeerRole) -> Bool {
            role.isViewer ? direction.receives : direction.sends
        }

        var offeredCodecSummary: String {
            let names = codecs.map { pt, map -> String in
                var text = "\(map.encodingName)/\(map.clockRate)"
                if let fmtp = fmtps[pt], !fmtp.parameters.isEmpty {
                    text += " (" + fmtp.value.drop(while: { $0 != " " }).dropFirst() + ")"
                }
                return text
            }
            return names.isEmpty ? "nothing" : names.joined(separator: ", ")
        }
    }

    /// A codec found in an offered m-line.
    struct CodecMatch {
        var payloadType: UInt8
        /// The codec as it will be answered.
        var codec: WebRTCCodec
        var fmtpParameters: [SDPFmtp.Parameter]
    }

    static func match(_ codec: WebRTCCodec, in offered: OfferedMedia, role: SDPPeerRole) -> CodecMatch? {
        for (pt, map) in offered.codecs {
            guard SDPText.equalsIgnoringCase(map.encodingName, codec.encodingName), map.clockRate == codec.clockRate else {
                continue
            }
            let fmtp = offered.fmtps[pt]
            switch codec {
            case .vp8:
                return CodecMatch(payloadType: pt, codec: .vp8, fmtpParameters: [])
            case .vp9:
                // An absent profile-id means profile 0 (RFC 9628 §6).
                guard (fmtp?["profile-id"] ?? "0") == "0" else { continue }
                return CodecMatch(payloadType: pt, codec: .vp9, fmtpParameters: [.init(key: "profile-id", value: "0")])
            case .opus:
                guard map.channels == 2 else { continue }
                return CodecMatch(
                    payloadType: pt, codec: .opus,
                    fmtpParameters: [.init(key: "minptime", value: "10"), .init(key: "useinbandfec", value: "1")])
            case .h264(let source):
                // FU-A needs packetization-mode 1; mode 0 (the default) cannot carry our packets.
                guard fmtp?["packetization-mode"] == "1" else { continue }
                let offeredProfile: WebRTCH264ProfileLevelID
                if let text = fmtp?["profile-level-id"] {
                    guard let parsed = WebRTCH264ProfileLevelID(hex: text) else { continue }
                    offeredProfile = parsed
                } else {
                    offeredProfile = .impliedDefault
                }
                guard offeredProfile.hasSameProfile(as: source) else { continue }
                let asymmetry = fmtp?["level-asymmetry-allowed"] == "1"
                let answered: WebRTCH264ProfileLevelID
                switch role {
                case .viewer:
                    // The viewer must decode the source's level, unless levels may differ per direction.
                    guard asymmetry || offeredProfile.levelRank >= source.levelRank else { continue }
                    answered = source
                case .publisher:
                    // What the publisher sends is forwarded as is; its level is not ours to limit.
                    answered = offeredProfile
                }
                var parameters: [SDPFmtp.Parameter] = []
                if asymmetry { parameters.append(.init(key: "level-asymmetry-allowed", value: "1")) }
                parameters.append(.init(key: "packetization-mode", value: "1"))
                parameters.append(.init(key: "profile-level-id", value: answered.hex))
                return CodecMatch(payloadType: pt, codec: .h264(answered), fmtpParameters: parameters)
            }
        }
        return nil
    }

    /// The RTX payload type whose `apt` is `payloadType`.
    static func rtxPayloadType(for payloadType: UInt8, clockRate: UInt32, in offered: OfferedMedia) -> UInt8? {
        for (pt, map) in offered.codecs where SDPText.equalsIgnoringCase(map.encodingName, "rtx") && map.clockRate == clockRate {
            if let apt = offered.fmtps[pt]?["apt"], SDPText.int(apt, max: 127) == Int(payloadType) { return pt }
        }
        return nil
    }

    // MARK: - Plan

    enum Decision {
        case serveVideo(CodecMatch)
        case serveAudio(CodecMatch)
        /// Audio m-line of a video-only stream (or one the SFU cannot use): kept, `a=inactive`.
        case inactive(CodecMatch)
        case reject
    }

    struct Plan {
        var decisions: [Decision]

        init(offer: SDPSession, sections: [OfferedMedia], bundled: Set<Int>, config: SDPNegotiatorConfig) throws(SDPNegotiationError) {
            let role = config.role
            var decisions: [Decision] = []
            var videoServed = false
            var audioHandled = false
            var sawVideo = false
            var sawVideoWithDirection = false
            var offeredVideo: [OfferedMedia] = []

            for (index, offered) in sections.enumerated() {
                let usable = bundled.contains(index) && !offered.isRejected && offered.media.isRTP
                guard usable else {
                    decisions.append(.reject)
                    continue
                }
                switch offered.media.mediaKind {
                case .video where !videoServed:
                    sawVideo = true
                    offeredVideo.append(offered)
                    guard offered.allows(role) else {
                        decisions.append(.reject)
                        continue
                    }
                    sawVideoWithDirection = true
                    if let found = config.media.videoCodecs.lazy.compactMap({ SDPNegotiator.match($0, in: offered, role: role) }).first {
                        decisions.append(.serveVideo(found))
                        videoServed = true
                    } else {
                        decisions.append(.reject)
                    }
                case .audio where !audioHandled:
                    audioHandled = true
                    let opus = SDPNegotiator.match(.opus, in: offered, role: role)
                    if config.media.audioCodec == .opus, offered.allows(role), let opus {
                        decisions.append(.serveAudio(opus))
                    } else if let opus {
                        decisions.append(.inactive(opus))
                    } else {
                        decisions.append(.reject)
                    }
                default:
                    decisions.append(.reject)
                }
            }

            guard videoServed else {
                if !sawVideo {
                    throw .unsupportedCodec("offer has no bundled video m-line")
                }
                if !sawVideoWithDirection {
                    let need = role.isViewer ? "recvonly or sendrecv" : "sendonly or sendrecv"
                    throw .invalidSDP("video m-line direction must be \(need)")
                }
                let wanted = config.media.videoCodecs.map(\.description).joined(separator: " or ")
                throw .unsupportedCodec("\(wanted.isEmpty ? "no codec configured" : wanted) not offered; offered: \(offeredVideo.map(\.offeredCodecSummary).joined(separator: "; "))")
            }
            self.decisions = decisions
        }
    }

    // MARK: - Answer

    /// Feedback the SFU answers. `transport-cc` only for publishers, whose packets the SFU answers
    /// with TWCC feedback; towards viewers it does not stamp transport-wide sequence numbers yet.
    static let answeredFeedback: [(type: String, parameter: String?, flag: SDPFeedbackSet)] = [
        ("nack", nil, .nack), ("nack", "pli", .pli), ("ccm", "fir", .fir), ("goog-remb", nil, .remb),
    ]
    static let publisherFeedback: [(type: String, parameter: String?, flag: SDPFeedbackSet)] =
        answeredFeedback + [("transport-cc", nil, .transportCC)]

    static func build(
        offer: SDPSession, sections: [OfferedMedia], plan: Plan, remote: RemoteTransport, config: SDPNegotiatorConfig
    ) -> SDPAnswer {
        let local = config.transport
        let defaultCandidate = local.candidates.first
        let connection = SDPConnection(
            addressType: defaultCandidate?.family == .ipv6 ? "IP6" : "IP4",
            address: defaultCandidate?.address ?? "0.0.0.0")
        let localFingerprint = SDPFingerprint(hashFunction: "sha-256", bytes: local.fingerprintSHA256)
        let setup: SDPSetupRole = remote.dtlsRole == .server ? .passive : .active
        let candidateLines = local.candidates.enumerated().map { index, candidate in
            SDPCandidate(
                foundation: String(index + 1), component: 1, transport: "udp",
                priority: hostPriority(index: index), address: candidate.address, port: candidate.port, type: "host"
            ).line
        }

        var answerMedia: [SDPMedia] = []
        var bundleMids: [String] = []
        var video: SDPNegotiatedTrack?
        var audio: SDPNegotiatedTrack?
        var rtcpReducedSize = false
        var offeredSSRCs: [String: [UInt32]] = [:]

        for (offered, decision) in zip(sections, plan.decisions) {
            let media = offered.media
            if let mid = offered.mid, !offered.ssrcs.isEmpty { offeredSSRCs[mid] = offered.ssrcs }

            let match: CodecMatch
            let direction: SDPDirection
            switch decision {
            case .reject:
                var lines = [SDPConnection().line]
                if let mid = offered.mid { lines.append(.attribute("mid", mid)) }
                lines.append(SDPDirection.inactive.line)
                answerMedia.append(SDPMedia(
                    kind: media.kind, port: 0, proto: media.proto, formats: [media.formats.first ?? "0"], lines: lines))
                continue
            case .serveVideo(let m), .serveAudio(let m):
                match = m
                direction = config.role.answerDirection
            case .inactive(let m):
                match = m
                direction = .inactive
            }

            // Bundled, non-rejected m-lines always have a mid (the BUNDLE group names them).
            let mid = offered.mid ?? ""
            bundleMids.append(mid)
            var section = SDPMedia(
                kind: media.kind, port: defaultCandidate?.port ?? 9, proto: media.proto, formats: [], lines: [connection.line])
            section.appendAttribute("ice-ufrag", local.iceUfrag)
            section.appendAttribute("ice-pwd", local.icePwd)
            section.append(localFingerprint.line)
            section.append(setup.line)
            section.appendAttribute("mid", mid)

            let serving = direction != .inactive
            var extensionIDs = SDPHeaderExtensionIDs()
            if serving {
                for ext in answeredExtensions(offered.extmaps + offer.extmaps, role: config.role) {
                    section.append(ext.line)
                    extensionIDs.set(UInt8(ext.id), for: ext.uri)
                }
            }
            section.append(direction.line)

            let outgoing: SDPOutgoingTrack?
            let cname: String?
            if case .viewer(let tracks) = config.role, serving {
                outgoing = media.mediaKind == .video ? tracks.video : tracks.audio
                cname = tracks.cname
            } else {
                outgoing = nil
                cname = nil
            }
            if let outgoing {
                section.append(SDPMsid(streamID: outgoing.streamID, trackID: outgoing.trackID).line)
            }
            section.appendAttribute("rtcp-mux")
            if offered.rtcpReducedSize {
                section.appendAttribute("rtcp-rsize")
                if media.mediaKind == .video { rtcpReducedSize = true }
            }

            // Codec, its feedback and parameters, then RTX.
            let pt = match.payloadType
            section.formats.append(String(pt))
            section.append(SDPRtpMap(
                payloadType: pt, encodingName: match.codec.encodingName, clockRate: match.codec.clockRate,
                channels: match.codec.channels
            ).line)
            var feedback: SDPFeedbackSet = []
            if serving {
                let offeredFeedback = offered.feedback.filter { $0.applies(to: pt) }
                for entry in config.role.isViewer ? answeredFeedback : publisherFeedback
                where !feedback.contains(entry.flag)
                    && offeredFeedback.contains(where: { $0.type == entry.type && $0.parameter == entry.parameter })
                {
                    feedback.insert(entry.flag)
                    section.append(SDPRtcpFeedback(payloadType: pt, type: entry.type, parameter: entry.parameter).line)
                }
            }
            if !match.fmtpParameters.isEmpty {
                section.append(SDPFmtp(payloadType: pt, parameters: match.fmtpParameters).line)
            }
            var rtxPT: UInt8?
            let wantsRTX = media.mediaKind == .video && serving && (config.role.isViewer ? outgoing?.rtxSSRC != nil : true)
            if wantsRTX, let rtx = rtxPayloadType(for: pt, clockRate: match.codec.clockRate, in: offered) {
                rtxPT = rtx
                section.formats.append(String(rtx))
                section.append(SDPRtpMap(payloadType: rtx, encodingName: "rtx", clockRate: match.codec.clockRate).line)
                section.append(SDPFmtp(payloadType: rtx, parameters: [.init(key: "apt", value: String(pt))]).line)
            }

            if let outgoing, let cname {
                let msid = SDPMsid(streamID: outgoing.streamID, trackID: outgoing.trackID).value
                var ssrcs = [outgoing.ssrc]
                if rtxPT != nil, let rtxSSRC = outgoing.rtxSSRC {
                    ssrcs.append(rtxSSRC)
                    section.append(SDPSsrcGroup(semantics: "FID", ssrcs: ssrcs).line)
                }
                for ssrc in ssrcs {
                    section.append(SDPSsrc(ssrc: ssrc, attribute: "cname", value: cname).line)
                    section.append(SDPSsrc(ssrc: ssrc, attribute: "msid", value: msid).line)
                }
            }
            section.lines.append(contentsOf: candidateLines)
            section.appendAttribute("end-of-candidates")
            answerMedia.append(section)

            guard serving else { continue }
            let track = SDPNegotiatedTrack(
                mid: mid, codec: match.codec, payloadType: pt, rtxPayloadType: rtxPT, headerExtensions: extensionIDs,
                feedback: feedback, remoteSSRCs: offered.ssrcs, remoteRTXSSRCs: offered.rtxSSRCs)
            if case .serveVideo = decision { video = track } else { audio = track }
        }

        var session = SDPSession(
            origin: SDPOrigin(sessionID: String(config.sessionID)), lines: [SDPTiming().line], media: answerMedia)
        session.appendAttribute("ice-lite")
        session.append(SDPGroup(semantics: "BUNDLE", mids: bundleMids).line)
        var semantic = " WMS"
        if case .viewer(let tracks) = config.role {
            var streams = [tracks.video.streamID]
            if audio != nil, let audioTrack = tracks.audio, !streams.contains(audioTrack.streamID) {
                streams.append(audioTrack.streamID)
            }
            semantic += " " + streams.joined(separator: " ")
        }
        session.appendAttribute("msid-semantic", semantic)

        // The plan guarantees a served video m-line.
        let videoTrack = video ?? SDPNegotiatedTrack(mid: "", codec: .vp8, payloadType: 0)
        let negotiation = SDPNegotiation(
            role: config.role, video: videoTrack, audio: audio, bundleMids: bundleMids, remoteICEUfrag: remote.ufrag,
            remoteICEPwd: remote.pwd, remoteFingerprint: remote.fingerprint, dtlsRole: remote.dtlsRole,
            rtcpReducedSize: rtcpReducedSize, offeredSSRCsByMid: offeredSSRCs)
        return SDPAnswer(session: session, negotiation: negotiation)
    }

    /// Offered extensions the SFU answers: supported URIs, ids usable on the wire (1-255), each
    /// URI and id once, in offer order; a directional offer is answered with the reverse direction.
    /// Publishers also get the transport-wide sequence number extension (the SFU sends TWCC feedback).
    static func answeredExtensions(_ offered: [SDPExtmap], role: SDPPeerRole) -> [SDPExtmap] {
        var usedIDs = Set<Int>()
        var usedURIs = Set<String>()
        var result: [SDPExtmap] = []
        let supported = role.isViewer ? SDPExtmap.URI.supported : SDPExtmap.URI.supported + [SDPExtmap.URI.transportWideCC]
        for ext in offered where supported.contains(ext.uri) && (1...255).contains(ext.id) {
            guard !usedIDs.contains(ext.id), !usedURIs.contains(ext.uri) else { continue }
            usedIDs.insert(ext.id)
            usedURIs.insert(ext.uri)
            result.append(SDPExtmap(id: ext.id, direction: ext.direction?.reversed, uri: ext.uri))
        }
        return result
    }

    /// RFC 8445 §5.1.2.1 host priority: type preference 126, local preference by list order, component 1.
    static func hostPriority(index: Int) -> UInt32 {
        let localPreference = UInt32(65535 - min(index, 65535))
        return (126 << 24) | (localPreference << 8) | (256 - 1)
    }
}
