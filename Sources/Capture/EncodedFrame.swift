/// One encoded frame as the capture pipelines hand it to the fabric's `Media` RPC (runner.proto
/// `MediaFrame`): a whole VP8 frame (one token partition ⇒ one packet per frame), an H.264 access
/// unit in Annex B (Android), or one Opus packet (Android audio, track `audio`).
public struct EncodedFrame: Sendable, Equatable {
    public var trackID: String
    /// Media time in microseconds from the source's monotonic capture clock (increasing per track).
    public var ptsMicroseconds: Int64
    /// Nominal frame duration (1 / fps) in microseconds.
    public var durationMicroseconds: Int64
    public var keyframe: Bool
    /// The encoded bitstream of this frame.
    public var data: [UInt8]
    public var width: Int
    public var height: Int
    /// Codec name as in `MediaFrame.codec`: "vp8", "h264", "opus".
    public var codec: String

    public init(
        trackID: String, ptsMicroseconds: Int64, durationMicroseconds: Int64, keyframe: Bool, data: [UInt8],
        width: Int, height: Int, codec: String
    ) {
        self.trackID = trackID
        self.ptsMicroseconds = ptsMicroseconds
        self.durationMicroseconds = durationMicroseconds
        self.keyframe = keyframe
        self.data = data
        self.width = width
        self.height = height
        self.codec = codec
    }
}
