/// Everything of one stream on the SFU: its tracks and caches, the publisher and the viewers, and
/// the keyframe-request throttle shared by all viewers. Event-loop confined.
final class SFURoom {
    let streamID: String
    /// What viewers negotiate; an H.264 source's SPS updates its profile-level-id.
    private(set) var media: SDPStreamMedia
    let cname: String
    var video: SFUTrack
    var audio: SFUTrack?
    var publisher: SFUPeer?
    var viewers: [SFUPeer] = []
    var keyframeThrottle: SFUKeyframeRequestThrottle
    /// Set once media arrived (the stream turns `active`).
    var mediaStarted = false
    var firSequence: UInt8 = 0
    /// A runner source (testsrc, desktop, android) asks for keyframes through this (the Media RPC).
    var sourceKeyframeRequest: (@Sendable () -> Void)?
    /// A runner source takes bitrate targets (kbps) through this (the Media RPC's BitrateTarget).
    var sourceBitrateTarget: (@Sendable (Int) -> Void)?
    /// The stream's bitrate target from its viewers' estimates (streaming.md §3.7).
    var bitrateController: SFUBitrateController
    /// The source's clock (publisher NTP or runner pts) against ours, shared by video and audio.
    var sourceClock = SFUSourceClock()
    /// Ingress counters (WHIP RTP or runner frames) and upstream keyframe requests, for the stats.
    var packetsIn: UInt64 = 0
    var bytesIn: UInt64 = 0
    var framesReceived: UInt64 = 0
    var keyframesReceived: UInt64 = 0
    var keyframeRequestsSent: UInt64 = 0
    /// Counters of viewers that have left (the stream's egress totals keep them).
    var departedViewers = SFUStreamStats.Viewer(id: "", connected: false)
    /// Bitrate meter: the totals at the start of the current second, and the last second's rates.
    var meterStartedAt: UInt64 = 0
    var meterBytesIn: UInt64 = 0
    var meterBytesOut: UInt64 = 0
    var bitrateInBitsPerSecond: UInt64 = 0
    var bitrateOutBitsPerSecond: UInt64 = 0

    init(streamID: String, media: SDPStreamMedia, configuration: SFUConfiguration) {
        self.streamID = streamID
        self.media = media
        self.cname = "marionette-" + streamID
        self.video = SFUTrack(kind: .video, codec: media.videoCodecs.first ?? .vp8, configuration: configuration)
        self.audio = media.audioCodec.map { SFUTrack(kind: .audio, codec: $0, configuration: configuration) }
        self.bitrateController = SFUBitrateController(
            minimum: configuration.minimumBitrateBitsPerSecond, maximum: configuration.publisherBitrateBitsPerSecond)
        self.keyframeThrottle = SFUKeyframeRequestThrottle(
            minimumIntervalMilliseconds: configuration.keyframeRequestMinIntervalMilliseconds,
            retryMilliseconds: configuration.keyframeRequestRetryMilliseconds)
    }

    /// The source's SPS names another H.264 profile or level: viewers that join from now on
    /// negotiate it (those already connected keep theirs; Chromium's decoder follows the SPS).
    func updateVideoCodec(_ codec: WebRTCCodec) {
        guard media.videoCodecs != [codec] else { return }
        media = SDPStreamMedia(videoCodecs: [codec], audioCodec: media.audioCodec)
    }

    /// A new source (publisher or runner Media RPC): its clock is unrelated to the last one's.
    func resetSourceClock() {
        sourceClock.reset()
        video.senderReportMapping = nil
        video.lastSourceSenderReport = nil
        audio?.senderReportMapping = nil
        audio?.lastSourceSenderReport = nil
    }

    /// Egress totals over current and departed viewers.
    var egress: SFUStreamStats.Viewer {
        var total = departedViewers
        for viewer in viewers { total.add(viewer.viewerStats) }
        return total
    }

    /// Once a second (from the SFU's timer): the rates of the second that ended.
    func updateBitrates(now: UInt64) {
        let elapsed = now &- meterStartedAt
        guard elapsed >= 1_000_000_000 else { return }
        let bytesOut = egress.bytesSent
        if meterStartedAt != 0 {
            bitrateInBitsPerSecond = (bytesIn &- meterBytesIn) &* 8_000_000_000 / elapsed
            bitrateOutBitsPerSecond = (bytesOut &- meterBytesOut) &* 8_000_000_000 / elapsed
        }
        meterStartedAt = now
        meterBytesIn = bytesIn
        meterBytesOut = bytesOut
    }

    /// What a viewer's answer announces (msid with separate streams for video and audio).
    var outgoingTracks: SDPOutgoingTracks {
        SDPOutgoingTracks(
            cname: cname,
            video: SDPOutgoingTrack(ssrc: video.ssrc, rtxSSRC: video.rtxSSRC, streamID: streamID + "-video", trackID: "video"),
            audio: audio.map { SDPOutgoingTrack(ssrc: $0.ssrc, rtxSSRC: nil, streamID: streamID + "-audio", trackID: "audio") })
    }
}
