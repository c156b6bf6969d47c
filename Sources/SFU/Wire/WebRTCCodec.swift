/// A codec the SFU forwards without transcoding.
public enum WebRTCCodec: Sendable, Hashable, CustomStringConvertible {
    /// VP8 (RFC 7741).
    case vp8
    /// VP9 profile 0 (RFC 9628); other profiles are never negotiated.
    case vp9
    /// H.264 with packetization-mode 1 (RFC 6184) and the source's `profile-level-id`.
    case h264(WebRTCH264ProfileLevelID)
    /// Opus, always `opus/48000/2` in SDP (RFC 7587).
    case opus

    /// rtpmap encoding name.
    public var encodingName: String {
        switch self {
        case .vp8: return "VP8"
        case .vp9: return "VP9"
        case .h264: return "H264"
        case .opus: return "opus"
        }
    }

    /// RTP clock rate: 90 kHz for video, 48 kHz for Opus.
    public var clockRate: UInt32 {
        self == .opus ? 48_000 : 90_000
    }

    /// rtpmap channel count (only Opus has one).
    public var channels: Int? {
        self == .opus ? 2 : nil
    }

    /// The m-line kind that carries this codec.
    public var kind: SDPMediaKind {
        self == .opus ? .audio : .video
    }

    public var description: String {
        switch self {
        case .h264(let profile): return "H264/\(clockRate) profile-level-id=\(profile.hex) packetization-mode=1"
        case .vp9: return "VP9/90000 profile-id=0"
        default: return "\(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
        }
    }
}
