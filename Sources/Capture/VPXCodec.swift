/// The libvpx codecs the desktop and test-pattern sources encode; the raw value is the codec name
/// of the API (`video_codec`) and of `MediaFrame.codec`.
public enum VPXCodec: String, Sendable, CaseIterable {
    case vp8
    case vp9
}
