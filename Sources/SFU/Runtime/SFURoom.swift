/// Everything of one stream on the SFU: its tracks and caches, the publisher and the viewers, and
/// the keyframe-request throttle shared by all viewers. Event-loop confined.
final class SFURoom {
    let streamID: String
    let media: SDPStreamMedia
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

    init(streamID: String, media: SDPStreamMedia, configuration: SFUConfiguration) {
        self.streamID = streamID
        self.media = media
        self.cname = "marionette-" + streamID
        self.video = SFUTrack(kind: .video, codec: media.videoCodecs.first ?? .vp8, configuration: configuration)
        self.audio = media.audioCodec.map { SFUTrack(kind: .audio, codec: $0, configuration: configuration) }
        self.keyframeThrottle = SFUKeyframeRequestThrottle(
            minimumIntervalMilliseconds: configuration.keyframeRequestMinIntervalMilliseconds,
            retryMilliseconds: configuration.keyframeRequestRetryMilliseconds)
    }

    /// What a viewer's answer announces (msid with separate streams for video and audio).
    var outgoingTracks: SDPOutgoingTracks {
        SDPOutgoingTracks(
            cname: cname,
            video: SDPOutgoingTrack(ssrc: video.ssrc, rtxSSRC: video.rtxSSRC, streamID: streamID + "-video", trackID: "video"),
            audio: audio.map { SDPOutgoingTrack(ssrc: $0.ssrc, rtxSSRC: nil, streamID: streamID + "-audio", trackID: "audio") })
    }
}
