/// An SDP session description (RFC 8866): the `v=`/`o=`/`s=` header, the other session-level
/// lines in order, and the media sections.
///
/// Parsing accepts CRLF or LF line ends, validates the lines the SFU interprets (see
/// ``SDPSession/init(parsing:)``) and keeps every other line verbatim; ``text`` serializes with CRLF.
public struct SDPSession: SDPLineContainer, Sendable, Hashable {
    /// Protocol version; only 0 exists.
    public var version: Int
    public var origin: SDPOrigin
    /// `s=` value (`-` in WebRTC).
    public var sessionName: String
    /// Session-level lines other than `v=`, `o=`, `s=`, in order (`t=`, `c=`, `b=`, `a=`, ...).
    public var lines: [SDPLine]
    public var media: [SDPMedia]

    public init(
        version: Int = 0, origin: SDPOrigin, sessionName: String = "-",
        lines: [SDPLine] = [SDPTiming().line], media: [SDPMedia] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.lines = lines
        self.media = media
    }

    /// Parses an SDP document.
    ///
    /// Structural rules: `v=0` first, exactly one `o=` and one `s=` before the first `m=`, and
    /// every non-empty line of the form `<lowercase letter>=<value>`. Lines whose meaning the
    /// SFU relies on are validated (`o=`, `c=`, `b=`, `t=`, `m=` and the attributes `rtpmap`,
    /// `fmtp`, `rtcp-fb`, `extmap`, `mid`, `group`, `msid`, `ssrc`, `ssrc-group`, `ice-ufrag`,
    /// `ice-pwd`, `fingerprint`, `setup`, `candidate`); anything else is kept as is.
    public init(parsing text: String) throws(SDPParseError) {
        var version: Int?
        var origin: SDPOrigin?
        var sessionName: String?
        var sessionLines: [SDPLine] = []
        var media: [SDPMedia] = []
        var lineNumber = 0

        let bytes = Array(text.utf8)
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let nextLine = lineEnd + 1
            lineNumber += 1
            defer { lineStart = nextLine }
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == lineStart { continue }
            let raw = SDPText.string(bytes, lineStart..<lineEnd)
            let first = bytes[lineStart]
            guard lineEnd - lineStart >= 2, first >= 0x61, first <= 0x7A, bytes[lineStart + 1] == 0x3D else {
                throw SDPParseError(lineNumber: lineNumber, line: raw, reason: "expected \"<type>=<value>\"")
            }
            let type = Character(Unicode.Scalar(first))
            let value = SDPText.string(bytes, (lineStart + 2)..<lineEnd)

            do throws(SDPParseError) {
                if version == nil {
                    guard type == "v" else { throw SDPParseError(reason: "the first line must be v=0") }
                    guard value == "0" else { throw SDPParseError(reason: "unsupported SDP version") }
                    version = 0
                    continue
                }
                switch type {
                case "v":
                    throw SDPParseError(reason: "duplicate v= line")
                case "o":
                    guard media.isEmpty, origin == nil else { throw SDPParseError(reason: "unexpected o= line") }
                    origin = try SDPOrigin(parsing: value)
                case "s":
                    guard media.isEmpty, sessionName == nil else { throw SDPParseError(reason: "unexpected s= line") }
                    sessionName = value
                case "m":
                    guard origin != nil, sessionName != nil else {
                        throw SDPParseError(reason: "media section before o= and s=")
                    }
                    media.append(try SDPMedia(parsingMediaLine: value))
                case "a":
                    // Split the name off the bytes already at hand rather than re-scanning the value.
                    var colon = lineStart + 2
                    while colon < lineEnd, bytes[colon] != 0x3A { colon += 1 }
                    let name = colon < lineEnd ? SDPText.string(bytes, (lineStart + 2)..<colon) : value
                    let attributeValue = colon < lineEnd ? SDPText.string(bytes, (colon + 1)..<lineEnd) : nil
                    try Self.validate(SDPAttribute(name: name, value: attributeValue))
                    let line = SDPLine(type: type, value: value)
                    if media.isEmpty {
                        sessionLines.append(line)
                    } else {
                        media[media.count - 1].lines.append(line)
                    }
                default:
                    let line = SDPLine(type: type, value: value)
                    try Self.validate(line, inMedia: !media.isEmpty)
                    if media.isEmpty {
                        sessionLines.append(line)
                    } else {
                        media[media.count - 1].lines.append(line)
                    }
                }
            } catch {
                throw error.located(lineNumber: lineNumber, line: raw)
            }
        }

        guard version != nil else { throw SDPParseError(reason: "empty SDP: no v= line") }
        guard let origin else { throw SDPParseError(reason: "missing o= line") }
        guard let sessionName else { throw SDPParseError(reason: "missing s= line") }
        self.init(version: 0, origin: origin, sessionName: sessionName, lines: sessionLines, media: media)
    }

    /// Same as ``init(parsing:)``.
    public static func parse(_ text: String) throws(SDPParseError) -> SDPSession {
        try SDPSession(parsing: text)
    }

    /// Serialized document with CRLF line ends (RFC 8866 §5).
    public var text: String {
        var out = ""
        func append(_ type: Character, _ value: String) {
            out.append(type)
            out.append("=")
            out.append(value)
            out.append("\r\n")
        }
        append("v", String(version))
        append("o", origin.value)
        append("s", sessionName)
        for line in lines { append(line.type, line.value) }
        for section in media {
            append("m", section.mediaLineValue)
            for line in section.lines { append(line.type, line.value) }
        }
        return out
    }

    // MARK: Session-level accessors

    /// `t=` lines in order.
    public var timings: [SDPTiming] {
        lines.filter { $0.type == "t" }.compactMap { try? SDPTiming(parsing: $0.value) }
    }

    /// Every `a=group` line.
    public var groups: [SDPGroup] {
        parsed("group") { v throws(SDPParseError) in try SDPGroup(parsing: v) }
    }

    /// The first `a=group:BUNDLE` group.
    public var bundleGroup: SDPGroup? { groups.first(where: \.isBundle) }

    /// RFC 8445 §2.5 / RFC 8839 §5.3: the writer is an ICE-lite agent.
    public var iceLite: Bool { hasAttribute("ice-lite") }

    /// `a=msid-semantic` value, trimmed (`WMS *`, `WMS stream-id ...`).
    public var msidSemantic: String? { trimmedValue(of: "msid-semantic") }

    /// The media section with this `a=mid`.
    public func media(withMid mid: String) -> SDPMedia? {
        media.first { $0.mid == mid }
    }

    // MARK: Validation

    static func validate(_ line: SDPLine, inMedia: Bool) throws(SDPParseError) {
        switch line.type {
        case "c": _ = try SDPConnection(parsing: line.value)
        case "b": _ = try SDPBandwidth(parsing: line.value)
        case "t":
            guard !inMedia else { throw SDPParseError(reason: "t= is not allowed in a media section") }
            _ = try SDPTiming(parsing: line.value)
        case "a": try validate(SDPAttribute(lineValue: line.value))
        default: break
        }
    }

    static func validate(_ attribute: SDPAttribute) throws(SDPParseError) {
        let value = attribute.value ?? ""
        switch attribute.name {
        case "rtpmap": _ = try SDPRtpMap(parsing: value)
        case "fmtp": _ = try SDPFmtp(parsing: value)
        case "rtcp-fb": _ = try SDPRtcpFeedback(parsing: value)
        case "extmap": _ = try SDPExtmap(parsing: value)
        case "group": _ = try SDPGroup(parsing: value)
        case "msid": _ = try SDPMsid(parsing: value)
        case "ssrc": _ = try SDPSsrc(parsing: value)
        case "ssrc-group": _ = try SDPSsrcGroup(parsing: value)
        case "fingerprint": _ = try SDPFingerprint(parsing: value)
        case "setup": _ = try SDPSetupRole(parsing: value)
        case "candidate": _ = try SDPCandidate(parsing: value)
        case "mid", "ice-ufrag", "ice-pwd":
            let trimmed = attribute.trimmedValue
            guard !trimmed.isEmpty, SDPText.fields(trimmed).count == 1 else {
                throw SDPParseError(reason: "\(attribute.name) must be a single non-empty token")
            }
        default: break
        }
    }
}
