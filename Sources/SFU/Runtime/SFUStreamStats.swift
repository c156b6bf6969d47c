/// Live counters of one stream on the SFU (`GET /api/v1/streams/{id}/stats`, api.md §12
/// StreamStats): what came in from the publisher or runner source, what went out to its viewers
/// (current and departed), and the bitrates of the last full second.
public struct SFUStreamStats: Sendable, Equatable {
    /// One viewer's egress counters.
    public struct Viewer: Sendable, Equatable {
        public var id: String
        public var connected: Bool
        /// RTP packets sent to the viewer (media, RTX and non-RTX retransmissions).
        public var packetsSent: UInt64 = 0
        /// Bytes on the wire (SRTP) of those packets.
        public var bytesSent: UInt64 = 0
        /// Packets resent after a NACK (RTX when negotiated).
        public var retransmissionsSent: UInt64 = 0
        /// Sequence numbers the viewer NACKed.
        public var nacksReceived: UInt64 = 0
        /// RTCP datagrams from the viewer carrying a PLI or FIR.
        public var keyframeRequestsReceived: UInt64 = 0
        public var senderReportsSent: UInt64 = 0
        /// Video frames, and their packets, not sent because the viewer could not keep up
        /// (streaming.md §3.7: its estimate below the stream's target, or the SFU's send queue full).
        public var framesDropped: UInt64 = 0
        public var packetsDropped: UInt64 = 0
        /// The viewer counts as congested now (its estimate under the stream's target for the hold,
        /// while it loses packets): its delta frames are being dropped.
        public var congested = false
        /// From the viewer's receiver reports on our video SSRC (RFC 3550 §6.4.1): the round trip
        /// (LSR/DLSR against our sender reports; nil before one was echoed), the fraction lost since
        /// the previous report (0…255, /256), cumulative packets lost, interarrival jitter.
        public var receiverReportsReceived: UInt64 = 0
        public var roundTripNanoseconds: UInt64?
        public var fractionLost: UInt8 = 0
        public var packetsLost: Int32 = 0
        public var jitterMicroseconds: UInt64 = 0

        public init(id: String, connected: Bool) {
            self.id = id
            self.connected = connected
        }

        /// Adds another viewer's counters (keeps this one's id and state).
        mutating func add(_ other: Viewer) {
            packetsSent &+= other.packetsSent
            bytesSent &+= other.bytesSent
            retransmissionsSent &+= other.retransmissionsSent
            nacksReceived &+= other.nacksReceived
            keyframeRequestsReceived &+= other.keyframeRequestsReceived
            senderReportsSent &+= other.senderReportsSent
            receiverReportsReceived &+= other.receiverReportsReceived
            framesDropped &+= other.framesDropped
            packetsDropped &+= other.packetsDropped
        }
    }

    public var streamID: String
    /// A WHIP publisher is connected, or a runner source is attached.
    public var publisherConnected: Bool
    public var viewerCount: Int
    /// RTP packets from the WHIP publisher, or packets made from runner frames.
    public var packetsIn: UInt64 = 0
    /// RTP bytes (after SRTP) from the WHIP publisher, or encoded frame bytes from the runner.
    public var bytesIn: UInt64 = 0
    public var framesReceived: UInt64 = 0
    public var keyframesReceived: UInt64 = 0
    /// Ingress bitrate over the last full second.
    public var bitrateInKbps: Int = 0
    /// Egress bitrate (all viewers) over the last full second.
    public var bitrateOutKbps: Int = 0
    /// Keyframe requests sent upstream (PLI to the publisher or `KeyframeRequest` to the runner).
    public var keyframeRequestsSent: UInt64 = 0
    /// The bitrate the SFU asks of the source: its viewers' target (streaming.md §3.7), or before one
    /// exists the configured rate for a WHIP publisher (REMB); nil for a runner source until then.
    public var targetBitrateKbps: Int?
    /// Totals over every viewer the stream has had (current and departed).
    public var out: Viewer
    /// The viewers connected or connecting now.
    public var viewers: [Viewer] = []

    public init(streamID: String, publisherConnected: Bool, viewerCount: Int) {
        self.streamID = streamID
        self.publisherConnected = publisherConnected
        self.viewerCount = viewerCount
        self.out = Viewer(id: "", connected: false)
    }

    /// Another worker's copy of the stream (streaming.md §3.10): its viewers and egress join ours;
    /// the ingress counters stay the home worker's.
    mutating func addViewers(of other: SFUStreamStats) {
        viewerCount += other.viewerCount
        bitrateOutKbps += other.bitrateOutKbps
        out.add(other.out)
        viewers += other.viewers
    }
}
