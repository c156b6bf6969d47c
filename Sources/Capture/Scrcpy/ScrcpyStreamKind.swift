/// Which media socket a stream parser reads: they differ in the codec ids they may announce and in
/// the video-only size header (3.3.4) and session packets (4.1).
public enum ScrcpyStreamKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case video
    case audio

    public var description: String { rawValue }
}
