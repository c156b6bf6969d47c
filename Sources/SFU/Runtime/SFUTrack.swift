/// One outgoing track of a stream (video or audio) as every viewer receives it: our SSRCs, the
/// translation from the publisher's numbering (which survives a publisher restart), and the caches.
struct SFUTrack {
    enum Kind: Sendable, Equatable { case video, audio }

    let kind: Kind
    let codec: WebRTCCodec
    let ssrc: UInt32
    let rtxSSRC: UInt32
    var cache: SFURetransmissionCache
    var keyframes: SFUKeyframeCache
    var translator = RTPOffsetTranslator()
    /// The publisher SSRC being forwarded; a new one is a source switch.
    var sourceSSRC: UInt32?
    var packetsForwarded: UInt64 = 0
    /// The publisher's own numbering, extended to 64 bits, for receiver reports.
    var sourceSequence = RTPSequenceUnwrapper()
    /// Runner sources (packetized here): next sequence number, random timestamp base, VP8 PictureID.
    var nextSequenceNumber = UInt16.random(in: .min ... .max)
    let timestampBase = UInt32.random(in: .min ... .max)
    var pictureID = UInt16.random(in: 0...0x7fff)
    /// H.264 runner sources: the SPS/PPS to send again before IDRs that lack them.
    var parameterSets = H264ParameterSets()
    /// Our RTP timeline against the source clock (``SFURoom/sourceClock``), for sender reports to
    /// viewers: from the publisher's own sender reports, or from a runner frame's pts.
    var senderReportMapping: RTPTimestampMapping?
    /// The publisher's last sender report on this track (compact NTP, arrival), echoed as LSR/DLSR.
    var lastSourceSenderReport: (compactNTP: UInt32, receivedAt: UInt64)?

    init(kind: Kind, codec: WebRTCCodec, ssrc: UInt32, rtxSSRC: UInt32, configuration: SFUConfiguration) {
        self.kind = kind
        self.codec = codec
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        switch kind {
        case .video:
            cache = SFURetransmissionCache(
                capacity: configuration.nackBufferPacketsVideo, maxAgeMilliseconds: configuration.nackMaxAgeMillisecondsVideo)
            keyframes = SFUKeyframeCache(maxBytes: configuration.keyframeCacheMaxBytes)
        case .audio:
            cache = SFURetransmissionCache(
                capacity: configuration.nackBufferPacketsAudio, maxAgeMilliseconds: configuration.nackMaxAgeMillisecondsAudio)
            keyframes = SFUKeyframeCache(maxBytes: 0)
        }
    }

    /// Maps a publisher packet's numbering to ours; a new publisher SSRC continues our sequence
    /// numbers and timestamps instead of jumping (viewers would otherwise see a gap or a rewind).
    mutating func translate(ssrc source: UInt32, sequenceNumber: UInt16, timestamp: UInt32) -> (UInt16, UInt32) {
        if sourceSSRC != source {
            if sourceSSRC != nil {
                // One frame interval of timestamp gap: 90 kHz / 30 fps, or 20 ms of 48 kHz audio.
                translator.switchSource(
                    firstSequenceNumber: sequenceNumber, firstTimestamp: timestamp, timestampGap: kind == .video ? 3000 : 960)
            }
            sourceSSRC = source
            // The new source's sender reports (and a new offset) define the mapping again.
            senderReportMapping = nil
            lastSourceSenderReport = nil
        }
        return translator.translate(sequenceNumber: sequenceNumber, timestamp: timestamp)
    }
}
