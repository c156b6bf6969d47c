/// One media section: the `m=` line and every line after it up to the next `m=`, in order.
public struct SDPMedia: SDPLineContainer, Sendable, Hashable {
    /// `audio`, `video`, `application`, ... as written.
    public var kind: String
    /// 0 means the m-line is rejected or disabled (unless it is `bundle-only`).
    public var port: UInt16
    /// The optional `/<number of ports>` suffix.
    public var portCount: Int?
    /// Transport protocol, e.g. `UDP/TLS/RTP/SAVPF` or `UDP/DTLS/SCTP`.
    public var proto: String
    /// Formats in preference order: payload types for RTP, `webrtc-datachannel` for SCTP.
    public var formats: [String]
    /// Lines after the `m=` line.
    public var lines: [SDPLine]

    public init(kind: String, port: UInt16, portCount: Int? = nil, proto: String, formats: [String], lines: [SDPLine] = []) {
        self.kind = kind
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.lines = lines
    }

    /// Parses the value of an `m=` line (without its attributes).
    public init(parsingMediaLine value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count >= 4 else {
            throw SDPParseError(reason: "media line needs \"<media> <port> <proto> <fmt> ...\"")
        }
        let (portText, countText) = SDPText.splitOnce(fields[1], 0x2F)
        guard let port = SDPText.int(portText, max: 65535) else {
            throw SDPParseError(reason: "media port must be 0-65535")
        }
        var count: Int?
        if let countText {
            guard let parsed = SDPText.int(countText, max: 65535), parsed > 0 else {
                throw SDPParseError(reason: "media port count must be a positive integer")
            }
            count = parsed
        }
        self.init(
            kind: fields[0], port: UInt16(port), portCount: count, proto: fields[2],
            formats: Array(fields[3...]))
    }

    /// The value of the `m=` line.
    public var mediaLineValue: String {
        let portText = portCount.map { "\(port)/\($0)" } ?? String(port)
        return ([kind, portText, proto] + formats).joined(separator: " ")
    }

    /// `kind` as an enum.
    public var mediaKind: SDPMediaKind { SDPMediaKind(kind) }

    /// Whether the protocol carries RTP (`RTP/AVP`, `UDP/TLS/RTP/SAVPF`, ...).
    public var isRTP: Bool { proto.utf8.split(separator: 0x2F).contains { Array($0) == Array("RTP".utf8) } }

    /// RFC 8843 §6: a port-0 m-line that is still part of a BUNDLE group.
    public var isBundleOnly: Bool { hasAttribute("bundle-only") }

    /// Rejected or disabled by its writer: port 0 and not `bundle-only`.
    public var isRejected: Bool { port == 0 && !isBundleOnly }

    /// Numeric formats (payload types), skipping non-numeric ones.
    public var payloadTypes: [UInt8] {
        formats.compactMap { SDPText.int($0, max: 127).map(UInt8.init) }
    }

    /// `a=mid` (RFC 5888), trimmed.
    public var mid: String? { trimmedValue(of: "mid") }

    /// `a=rtpmap` lines in order.
    public var rtpMaps: [SDPRtpMap] {
        parsed("rtpmap") { v throws(SDPParseError) in try SDPRtpMap(parsing: v) }
    }

    /// The `a=rtpmap` of a payload type.
    public func rtpMap(for payloadType: UInt8) -> SDPRtpMap? {
        rtpMaps.first { $0.payloadType == payloadType }
    }

    /// `a=fmtp` lines in order.
    public var fmtps: [SDPFmtp] {
        parsed("fmtp") { v throws(SDPParseError) in try SDPFmtp(parsing: v) }
    }

    /// The first `a=fmtp` of a payload type.
    public func fmtp(for payloadType: UInt8) -> SDPFmtp? {
        fmtps.first { $0.payloadType == payloadType }
    }

    /// `a=rtcp-fb` lines in order.
    public var rtcpFeedback: [SDPRtcpFeedback] {
        parsed("rtcp-fb") { v throws(SDPParseError) in try SDPRtcpFeedback(parsing: v) }
    }

    /// Feedback entries that apply to `payloadType`, including `*` entries.
    public func rtcpFeedback(for payloadType: UInt8) -> [SDPRtcpFeedback] {
        rtcpFeedback.filter { $0.applies(to: payloadType) }
    }

    /// The first `a=msid`.
    public var msid: SDPMsid? {
        parsed("msid") { v throws(SDPParseError) in try SDPMsid(parsing: v) }.first
    }

    /// `a=ssrc` lines in order (several per SSRC: cname, msid, ...).
    public var ssrcs: [SDPSsrc] {
        parsed("ssrc") { v throws(SDPParseError) in try SDPSsrc(parsing: v) }
    }

    /// Distinct SSRCs announced by `a=ssrc` lines, in first-seen order.
    public var ssrcValues: [UInt32] {
        var seen = Set<UInt32>()
        return ssrcs.compactMap { seen.insert($0.ssrc).inserted ? $0.ssrc : nil }
    }

    /// `a=ssrc-group` lines in order.
    public var ssrcGroups: [SDPSsrcGroup] {
        parsed("ssrc-group") { v throws(SDPParseError) in try SDPSsrcGroup(parsing: v) }
    }

    /// `a=rtcp-mux` (RFC 5761): RTP and RTCP share the port; required for BUNDLE.
    public var rtcpMux: Bool { hasAttribute("rtcp-mux") }
    /// `a=rtcp-rsize` (RFC 5506): non-compound RTCP allowed.
    public var rtcpReducedSize: Bool { hasAttribute("rtcp-rsize") }
}

/// The kind of an m-line.
public enum SDPMediaKind: Sendable, Hashable {
    case audio
    case video
    case application
    case other(String)

    public init(_ text: String) {
        switch text {
        case "audio": self = .audio
        case "video": self = .video
        case "application": self = .application
        default: self = .other(text)
        }
    }

    public var name: String {
        switch self {
        case .audio: return "audio"
        case .video: return "video"
        case .application: return "application"
        case .other(let name): return name
        }
    }
}
