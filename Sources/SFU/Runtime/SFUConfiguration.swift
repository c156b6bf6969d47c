import NIOCore

/// The `sfu.*` settings the packet path needs (streaming.md §8), with the spec's defaults.
public struct SFUConfiguration: Sendable, Equatable {
    /// Address the UDP socket binds (the server's `--host`).
    public var bindHost = "127.0.0.1"
    /// The one UDP port of every peer (`--media-port`).
    public var udpPort = 7881
    /// Addresses put into answers as host candidates; empty = the bound address.
    public var publicIPs: [String] = []
    /// Event loops, each with its own socket on `udpPort` (`SO_REUSEPORT`) and the viewers whose
    /// checks reached it (`sfu.workers`, streaming.md §3.10); at most the event loop group's size.
    public var workers = System.coreCount
    public var rtpMTU = 1200
    public var dtlsMTU = 1200
    public var dtlsHandshakeTimeoutMilliseconds = 10_000
    public var consentTimeoutMilliseconds = 30_000
    public var nackBufferPacketsVideo = 2048
    public var nackBufferPacketsAudio = 512
    public var nackMaxAgeMillisecondsVideo = 1000
    public var nackMaxAgeMillisecondsAudio = 500
    public var keyframeRequestMinIntervalMilliseconds = 500
    public var keyframeRequestRetryMilliseconds = 1000
    public var keyframeCacheMaxBytes = 4 << 20
    public var joinBurstMaxMilliseconds = 2000
    public var playoutDelayMaxMilliseconds = 100
    public var maxViewersPerStream = 50
    public var maxViewersTotal = 1000
    /// The bitrate REMB tells WHIP publishers they may send (until viewer estimates drive it, §3.7).
    public var publisherBitrateBitsPerSecond: UInt64 = 4_000_000
    /// The floor of the bitrate target viewers' estimates may push a stream to (`sfu.bitrate_min_kbps`).
    public var minimumBitrateBitsPerSecond: UInt64 = 300_000
    /// Bounds the socket's send queue to this many MTU-sized packets (`sfu.viewer_queue_packets`):
    /// over it, viewers get delta frames dropped until the next keyframe instead of more queueing.
    public var viewerQueuePackets = 512
    public var srtpProfiles: [SRTPProfile] = [.aeadAES128GCM, .aes128CMSHA1_80]
    /// Test builds only: drop this share of outgoing media packets on purpose (loss tests).
    public var testDropEgressPercent = 0

    public init() {}

    /// The send queue's high water mark in bytes (NIO's pending writes on the UDP channel).
    public var egressQueueBytes: Int { max(viewerQueuePackets, 1) * rtpMTU }
}
