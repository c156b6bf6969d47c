/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285 §7).
public struct SDPExtmap: Sendable, Hashable {
    /// Local identifier: 1-14 (one-byte form), 1-255 (two-byte form), 4096-4351 (negotiation only).
    public var id: Int
    public var direction: SDPDirection?
    public var uri: String
    /// Extension attributes after the URI, verbatim.
    public var extensionAttributes: String?

    public init(id: Int, direction: SDPDirection? = nil, uri: String, extensionAttributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.extensionAttributes = extensionAttributes
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count >= 2 else { throw SDPParseError(reason: "extmap needs \"<id>[/<direction>] <uri>\"") }
        let (idText, directionText) = SDPText.splitOnce(fields[0], 0x2F)
        guard let id = SDPText.int(idText, max: 4351), (1...255).contains(id) || id >= 4096 else {
            throw SDPParseError(reason: "extmap id must be 1-255 or 4096-4351")
        }
        var direction: SDPDirection?
        if let directionText {
            guard let parsed = SDPDirection(rawValue: directionText) else {
                throw SDPParseError(reason: "extmap direction must be sendrecv, sendonly, recvonly or inactive")
            }
            direction = parsed
        }
        let attributes = fields.count > 2 ? fields[2...].joined(separator: " ") : nil
        self.init(id: id, direction: direction, uri: fields[1], extensionAttributes: attributes)
    }

    /// The attribute value, e.g. `3/recvonly http://...`.
    public var value: String {
        var text = String(id)
        if let direction { text += "/\(direction.rawValue)" }
        text += " \(uri)"
        if let extensionAttributes { text += " \(extensionAttributes)" }
        return text
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("extmap", value) }

    /// Header extension URIs the SFU understands (streaming.md §3.3).
    public enum URI {
        public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
        public static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
        public static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
        public static let playoutDelay = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"
        public static let absCaptureTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"
        /// What the SFU answers to every peer, in order. transport-wide-cc is answered to publishers
        /// only (their packets get TWCC feedback, `SFUTransportWideCCRecorder`); viewers would need
        /// the SFU to stamp transport-wide sequence numbers and run a send-side estimator, which it
        /// does not yet (REMB and receiver reports instead, streaming.md §3.7).
        public static let supported: [String] = [mid, absSendTime, playoutDelay, absCaptureTime]
    }
}
