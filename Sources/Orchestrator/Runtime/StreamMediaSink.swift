import Foundation

/// Where a runner's encoded media goes (the SFU, implemented in Gateway), so the Orchestrator never
/// imports the SFU (DESIGN.md: dependencies point one way).
public protocol StreamMediaSink: Sendable {
    /// A runner starts (or resumes) sending `streamID`; viewers' keyframe requests come back through
    /// `onKeyframeRequest`, already coalesced and throttled, and bitrate targets (kbps, from the
    /// viewers' estimates, at most `bitrateKbps`) through `onBitrateTarget`.
    func open(
        streamID: String, videoCodec: String, audio: Bool, bitrateKbps: Int?, onKeyframeRequest: @escaping @Sendable () -> Void,
        onBitrateTarget: @escaping @Sendable (Int) -> Void
    ) async throws
    /// One encoded video frame; must not block (called per frame on the RPC's task).
    func videoFrame(streamID: String, ptsMicroseconds: Int64, keyframe: Bool, data: Data)
    /// One Opus packet of the stream's audio track; must not block.
    func audioFrame(streamID: String, ptsMicroseconds: Int64, data: Data)
    /// The runner stopped sending (end of the RPC); the room and its viewers stay for a reconnect.
    func close(streamID: String) async
}
