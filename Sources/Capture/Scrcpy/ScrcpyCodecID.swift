/// The `u32` codec id at the start of each media socket: the codec's ASCII name packed big-endian
/// (scrcpy.md §5.1), or 0 (stream disabled by the device) / 1 (configuration error).
public struct ScrcpyCodecID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let h264 = ScrcpyCodecID(rawValue: 0x6832_3634)
    public static let h265 = ScrcpyCodecID(rawValue: 0x6832_3635)
    public static let av1 = ScrcpyCodecID(rawValue: 0x0061_7631)
    /// 4.x only.
    public static let vp8 = ScrcpyCodecID(rawValue: 0x0076_7038)
    /// 4.x only.
    public static let vp9 = ScrcpyCodecID(rawValue: 0x0076_7039)
    public static let opus = ScrcpyCodecID(rawValue: 0x6F70_7573)
    public static let aac = ScrcpyCodecID(rawValue: 0x0061_6163)
    public static let flac = ScrcpyCodecID(rawValue: 0x666C_6163)
    /// PCM s16le, 48 kHz stereo.
    public static let raw = ScrcpyCodecID(rawValue: 0x0072_6177)
    /// The device disabled this stream (e.g. audio on Android < 11): carry on without it.
    public static let disabled = ScrcpyCodecID(rawValue: 0)
    /// The device could not configure the stream: the server exits, so must the client.
    public static let configurationError = ScrcpyCodecID(rawValue: 1)

    public static let videoCodecs: [ScrcpyCodecID] = [.h264, .h265, .av1, .vp8, .vp9]
    public static let audioCodecs: [ScrcpyCodecID] = [.opus, .aac, .flac, .raw]

    /// The codec of a server option value (`video_codec=h264`), if it names one.
    public init?(name: String) {
        guard let codec = (Self.videoCodecs + Self.audioCodecs).first(where: { $0.name == name }) else { return nil }
        self = codec
    }

    /// The option value naming this codec ("h264", "opus", ...), nil for 0, 1 and unknown ids.
    public var name: String? {
        switch self {
        case .h264: "h264"
        case .h265: "h265"
        case .av1: "av1"
        case .vp8: "vp8"
        case .vp9: "vp9"
        case .opus: "opus"
        case .aac: "aac"
        case .flac: "flac"
        case .raw: "raw"
        default: nil
        }
    }

    /// The stream kind this codec belongs to, nil for 0, 1 and unknown ids.
    public var streamKind: ScrcpyStreamKind? {
        if Self.videoCodecs.contains(self) { return .video }
        if Self.audioCodecs.contains(self) { return .audio }
        return nil
    }

    /// Whether a server of `version` can announce (and be asked for) this codec on `stream`.
    public func isCodec(of stream: ScrcpyStreamKind, in version: ScrcpyVersion) -> Bool {
        guard streamKind == stream else { return false }
        if self == .vp8 || self == .vp9 { return version == .v4_1 }
        return true
    }

    public var description: String { name ?? "0x\(ScrcpyProtocolError.hex(rawValue))" }
}
