/// The SFU's DTLS role, derived from the answered `a=setup`.
public enum SDPDTLSRole: Sendable, Hashable {
    /// We answered `a=setup:passive`: the client sends the ClientHello.
    case server
    /// We answered `a=setup:active` (the offer said `passive`): we send the ClientHello.
    case client
}

/// RTCP feedback types negotiated for one track (RFC 4585, RFC 5104, REMB, TWCC).
public struct SDPFeedbackSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Generic NACK (`nack`).
    public static let nack = SDPFeedbackSet(rawValue: 1 << 0)
    /// Picture loss indication (`nack pli`).
    public static let pli = SDPFeedbackSet(rawValue: 1 << 1)
    /// Full intra request (`ccm fir`).
    public static let fir = SDPFeedbackSet(rawValue: 1 << 2)
    /// Receiver estimated maximum bitrate (`goog-remb`).
    public static let remb = SDPFeedbackSet(rawValue: 1 << 3)
    /// Transport-wide congestion control feedback (`transport-cc`).
    public static let transportCC = SDPFeedbackSet(rawValue: 1 << 4)
}

/// The client's RTP header extension ids for the URIs the SFU uses; nil when not negotiated.
/// Ids are the ones the client offered (RFC 8285 lets each side keep its own numbering, and
/// answering with the offerer's ids means one mapping for both directions).
public struct SDPHeaderExtensionIDs: Sendable, Hashable {
    public var mid: UInt8?
    public var absSendTime: UInt8?
    public var transportWideCC: UInt8?
    public var playoutDelay: UInt8?
    public var absCaptureTime: UInt8?

    public init(
        mid: UInt8? = nil, absSendTime: UInt8? = nil, transportWideCC: UInt8? = nil,
        playoutDelay: UInt8? = nil, absCaptureTime: UInt8? = nil
    ) {
        self.mid = mid
        self.absSendTime = absSendTime
        self.transportWideCC = transportWideCC
        self.playoutDelay = playoutDelay
        self.absCaptureTime = absCaptureTime
    }

    /// The id negotiated for `uri`, if any.
    public func id(for uri: String) -> UInt8? {
        switch uri {
        case SDPExtmap.URI.mid: return mid
        case SDPExtmap.URI.absSendTime: return absSendTime
        case SDPExtmap.URI.transportWideCC: return transportWideCC
        case SDPExtmap.URI.playoutDelay: return playoutDelay
        case SDPExtmap.URI.absCaptureTime: return absCaptureTime
        default: return nil
        }
    }

    mutating func set(_ id: UInt8, for uri: String) {
        switch uri {
        case SDPExtmap.URI.mid: mid = id
        case SDPExtmap.URI.absSendTime: absSendTime = id
        case SDPExtmap.URI.transportWideCC: transportWideCC = id
        case SDPExtmap.URI.playoutDelay: playoutDelay = id
        case SDPExtmap.URI.absCaptureTime: absCaptureTime = id
        default: break
        }
    }
}

/// One served m-line: what the SFU rewrites per packet for this client.
public struct SDPNegotiatedTrack: Sendable, Hashable {
    public var mid: String
    /// The codec as answered (for H.264, with the answered profile-level-id).
    public var codec: WebRTCCodec
    /// The client's payload type for the codec.
    public var payloadType: UInt8
    /// The client's RTX payload type (`apt=` the codec), when RTX was answered.
    public var rtxPayloadType: UInt8?
    public var headerExtensions: SDPHeaderExtensionIDs
    public var feedback: SDPFeedbackSet
    /// SSRCs the client announced on this m-line (`a=ssrc`), in order; what a publisher will send.
    public var remoteSSRCs: [UInt32]
    /// The client's `FID` groups: media SSRC → RTX SSRC.
    public var remoteRTXSSRCs: [UInt32: UInt32]

    public init(
        mid: String, codec: WebRTCCodec, payloadType: UInt8, rtxPayloadType: UInt8? = nil,
        headerExtensions: SDPHeaderExtensionIDs = SDPHeaderExtensionIDs(), feedback: SDPFeedbackSet = [],
        remoteSSRCs: [UInt32] = [], remoteRTXSSRCs: [UInt32: UInt32] = [:]
    ) {
        self.mid = mid
        self.codec = codec
        self.payloadType = payloadType
        self.rtxPayloadType = rtxPayloadType
        self.headerExtensions = headerExtensions
        self.feedback = feedback
        self.remoteSSRCs = remoteSSRCs
        self.remoteRTXSSRCs = remoteRTXSSRCs
    }
}

/// The runtime parameters of a negotiated peer, alongside the answer text.
public struct SDPNegotiation: Sendable, Hashable {
    public var role: SDPPeerRole
    public var video: SDPNegotiatedTrack
    /// Nil when the stream is video-only or the client offered no usable audio m-line.
    public var audio: SDPNegotiatedTrack?
    /// Mids of the answer's BUNDLE group; the first is the answerer-tagged m-line.
    public var bundleMids: [String]
    /// The client's ICE credentials (the SFU checks `USERNAME` = `<our ufrag>:<client ufrag>`).
    public var remoteICEUfrag: String
    public var remoteICEPwd: String
    /// The client's certificate digest; the DTLS layer verifies the peer certificate against it.
    /// `sha-256` is preferred when the client offers several.
    public var remoteFingerprint: SDPFingerprint
    public var dtlsRole: SDPDTLSRole
    /// Reduced-size RTCP (RFC 5506) was offered and answered.
    public var rtcpReducedSize: Bool
    /// Every `a=ssrc` the client announced, per mid (publishers: what to expect on each m-line).
    public var offeredSSRCsByMid: [String: [UInt32]]

    /// The client's video payload type.
    public var videoPayloadType: UInt8 { video.payloadType }
    /// The client's RTX payload type for video, when RTX was answered.
    public var rtxPayloadType: UInt8? { video.rtxPayloadType }
    /// The client's Opus payload type, when audio is served.
    public var audioPayloadType: UInt8? { audio?.payloadType }
}
