/// What the client is doing, which fixes the SFU's direction on every served m-line.
public enum SDPPeerRole: Sendable, Hashable {
    /// WHEP viewer: the SFU sends (`a=sendonly`) the given tracks.
    case viewer(SDPOutgoingTracks)
    /// WHIP publisher: the SFU receives (`a=recvonly`).
    case publisher

    /// Whether this is a WHEP viewer.
    public var isViewer: Bool {
        if case .viewer = self { return true }
        return false
    }

    /// The SFU's direction on served m-lines.
    public var answerDirection: SDPDirection { isViewer ? .sendonly : .recvonly }
}

/// The stream's media as the SFU can serve or accept it.
public struct SDPStreamMedia: Sendable, Hashable {
    /// Video codecs in preference order. Viewers: the one codec the source produces (H.264 with
    /// the source SPS's profile-level-id). Publishers: the codecs the stream accepts.
    public var videoCodecs: [WebRTCCodec]
    /// `.opus` when the stream has audio; nil for a video-only stream (its audio m-line is then
    /// answered `a=inactive`).
    public var audioCodec: WebRTCCodec?

    public init(videoCodecs: [WebRTCCodec], audioCodec: WebRTCCodec? = nil) {
        self.videoCodecs = videoCodecs
        self.audioCodec = audioCodec
    }

    public init(video: WebRTCCodec, audio: WebRTCCodec? = nil) {
        self.init(videoCodecs: [video], audioCodec: audio)
    }
}

/// One host candidate of the SFU's UDP socket (streaming.md §3.1).
public struct SDPHostCandidate: Sendable, Hashable {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    public var address: String
    public var port: UInt16
    public var family: Family

    public init(address: String, port: UInt16, family: Family) {
        self.address = address
        self.port = port
        self.family = family
    }
}

/// The SFU's side of the transport: ICE-lite credentials, DTLS certificate digest, candidates.
public struct SDPLocalTransport: Sendable, Hashable {
    public var iceUfrag: String
    public var icePwd: String
    /// SHA-256 digest of the SFU's DTLS certificate (32 bytes).
    public var fingerprintSHA256: [UInt8]
    /// Host candidates in priority order; the first is the default candidate of the m-lines.
    public var candidates: [SDPHostCandidate]

    public init(iceUfrag: String, icePwd: String, fingerprintSHA256: [UInt8], candidates: [SDPHostCandidate]) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprintSHA256 = fingerprintSHA256
        self.candidates = candidates
    }
}

/// A track the SFU sends to a viewer.
public struct SDPOutgoingTrack: Sendable, Hashable {
    public var ssrc: UInt32
    /// RTX SSRC (RFC 4588); RTX is answered only when this is set and the offer has RTX.
    public var rtxSSRC: UInt32?
    /// `a=msid` stream id; video and audio use different ids so the browser does not couple
    /// their playout (streaming.md §3.8).
    public var streamID: String
    public var trackID: String

    public init(ssrc: UInt32, rtxSSRC: UInt32? = nil, streamID: String, trackID: String) {
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        self.streamID = streamID
        self.trackID = trackID
    }
}

/// The tracks the SFU sends to a viewer.
public struct SDPOutgoingTracks: Sendable, Hashable {
    /// RTCP CNAME of every outgoing track.
    public var cname: String
    public var video: SDPOutgoingTrack
    public var audio: SDPOutgoingTrack?

    public init(cname: String, video: SDPOutgoingTrack, audio: SDPOutgoingTrack? = nil) {
        self.cname = cname
        self.video = video
        self.audio = audio
    }
}

/// Everything ``SDPNegotiator`` needs besides the offer.
public struct SDPNegotiatorConfig: Sendable, Hashable {
    public var role: SDPPeerRole
    public var media: SDPStreamMedia
    public var transport: SDPLocalTransport
    /// `o=` session id of the answer (random per peer, kept across ICE restarts).
    public var sessionID: UInt64

    public init(
        role: SDPPeerRole, media: SDPStreamMedia, transport: SDPLocalTransport, sessionID: UInt64
    ) {
        self.role = role
        self.media = media
        self.transport = transport
        self.sessionID = sessionID
    }
}
