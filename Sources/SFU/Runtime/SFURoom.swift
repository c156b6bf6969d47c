/// Everything of one stream on one SFU worker: its tracks and caches, the publisher and the
/// viewers, and the keyframe-request throttle shared by all viewers. Event-loop confined. Every
/// worker with viewers of the stream has a copy; the home worker's copy runs the ingress (numbering,
/// source clock, throttle, bitrate target, publisher) and hands each batch of new packets to the
/// others, whose copies cache them and serve their own viewers (streaming.md §3.10).
final class SFURoom {
    let identity: SFUStreamIdentity
    let isHome: Bool
    var streamID: String { identity.streamID }
    var cname: String { identity.cname }
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
    /// The bitrate viewers' frame gates compare their estimates with (home: from every worker's
    /// estimates at its tick; elsewhere: the home's latest, sent with the packets).
    var gateBar: UInt64?
    /// Home: the other workers' viewers' downlink estimates, with when they came.
    var remoteEstimates: [Int: (estimates: [UInt64], at: UInt64)] = [:]
    /// Home: new packets (and whether video) not yet handed to the other workers.
    var mirrorOutbox: [SFUMirroredPacket] = []
    /// Elsewhere: when this copy last sent its viewers' estimates home.
    var estimatesSentAt: UInt64 = 0

    init(identity: SFUStreamIdentity, worker: Int, configuration: SFUConfiguration) {
        self.identity = identity
        self.isHome = identity.home == worker
        let media = identity.media
        self.video = SFUTrack(
            kind: .video, codec: media.videoCodecs.first ?? .vp8, ssrc: identity.videoSSRC, rtxSSRC: identity.videoRTXSSRC,
            configuration: configuration)
        self.audio = media.audioCodec.map {
            SFUTrack(kind: .audio, codec: $0, ssrc: identity.audioSSRC, rtxSSRC: 0, configuration: configuration)
        }
        self.bitrateController = SFUBitrateController(
            minimum: configuration.minimumBitrateBitsPerSecond, maximum: configuration.publisherBitrateBitsPerSecond)
        self.keyframeThrottle = SFUKeyframeRequestThrottle(
            minimumIntervalMilliseconds: configuration.keyframeRequestMinIntervalMilliseconds,
            retryMilliseconds: configuration.keyframeRequestRetryMilliseconds)
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

    /// The home's timing for the other workers' sender reports.
    var timing: SFUSourceTiming {
        SFUSourceTiming(
            clock: sourceClock, video: video.senderReportMapping, audio: audio?.senderReportMapping, gateBar: gateBar)
    }

    /// Another worker's copy takes the home's timing.
    func adopt(_ timing: SFUSourceTiming) {
        sourceClock = timing.clock
        video.senderReportMapping = timing.video
        audio?.senderReportMapping = timing.audio
        gateBar = timing.gateBar
    }
}

/// A packet the home worker hands to the other workers.
struct SFUMirroredPacket: Sendable {
    var packet: SFUCachedPacket
    var isVideo: Bool
}

/// What the other workers' copies need of the home's clocks: the source clock and RTP mappings of
/// the sender reports, and the frame gates' bar.
struct SFUSourceTiming: Sendable {
    var clock: SFUSourceClock
    var video: RTPTimestampMapping?
    var audio: RTPTimestampMapping?
    var gateBar: UInt64?
}
