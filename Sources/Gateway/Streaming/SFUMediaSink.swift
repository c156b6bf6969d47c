import Foundation
import NIOCore
import Orchestrator
import SFU

/// The Orchestrator's `StreamMediaSink` over the running SFU: runner frames go into the stream's
/// room, keyframe requests come back to the Media RPC.
struct SFUMediaSink: StreamMediaSink {
    let holder: SFUHolder

    struct NotRunning: Error, CustomStringConvertible {
        var description: String { "the SFU is not running" }
    }

    func open(
        streamID: String, videoCodec: String, audio: Bool, bitrateKbps: Int?, onKeyframeRequest: @escaping @Sendable () -> Void,
        onBitrateTarget: @escaping @Sendable (Int) -> Void
    ) async throws {
        guard let sfu = holder.server else { throw NotRunning() }
        try await sfu.attachSource(
            streamID: streamID, media: SDPStreamMedia(video: WebRTCSignalingRoutes.videoCodec(named: videoCodec), audio: audio ? .opus : nil),
            maxBitrateKbps: bitrateKbps, onKeyframeRequest: onKeyframeRequest, onBitrateTarget: onBitrateTarget)
    }

    func videoFrame(streamID: String, ptsMicroseconds: Int64, keyframe: Bool, data: Data) {
        holder.server?.ingestVideoFrame(
            streamID: streamID, ptsMicroseconds: ptsMicroseconds, keyframe: keyframe, data: ByteBuffer(bytes: data))
    }

    func audioFrame(streamID: String, ptsMicroseconds: Int64, data: Data) {
        holder.server?.ingestAudioFrame(streamID: streamID, ptsMicroseconds: ptsMicroseconds, data: ByteBuffer(bytes: data))
    }

    func close(streamID: String) async {
        await holder.server?.detachSource(streamID: streamID)
    }
}
