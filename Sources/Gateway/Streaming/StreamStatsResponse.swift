import Orchestrator
import SFU

/// `StreamStats` (api.md §12) as `GET /api/v1/streams/{id}/stats` answers it: the spec's fields,
/// then the SFU's further counters and one entry per current viewer. A stream the SFU holds nothing
/// for (not started, stopped, or the SFU not running) answers zeros.
struct StreamStatsResponse: Encodable {
    struct Viewer: Encodable {
        let id: String
        let connected: Bool
        let packetsOut: UInt64
        let bytesOut: UInt64
        let rtxSent: UInt64
        let nacksReceived: UInt64
        let plisReceived: UInt64
        let senderReportsSent: UInt64
        let receiverReportsReceived: UInt64
        let rttMs: Double?
        let fractionLost: Double
        let packetsLost: Int32
        let jitterMs: Double
        /// Whole frames (and their packets) not sent because this viewer could not keep up.
        let framesDropped: UInt64
        let packetsDropped: UInt64
        /// Its downlink is under the stream's target while it loses packets: it gets keyframes only.
        let congested: Bool

        enum CodingKeys: String, CodingKey {
            case id, connected, packetsOut = "packets_out", bytesOut = "bytes_out", rtxSent = "rtx_sent"
            case nacksReceived = "nacks_received", plisReceived = "plis_received", senderReportsSent = "sender_reports_sent"
            case receiverReportsReceived = "receiver_reports_received", rttMs = "rtt_ms", fractionLost = "fraction_lost"
            case packetsLost = "packets_lost", jitterMs = "jitter_ms", framesDropped = "frames_dropped"
            case packetsDropped = "packets_dropped", congested
        }

        init(_ viewer: SFUStreamStats.Viewer) {
            id = viewer.id
            connected = viewer.connected
            packetsOut = viewer.packetsSent
            bytesOut = viewer.bytesSent
            rtxSent = viewer.retransmissionsSent
            nacksReceived = viewer.nacksReceived
            plisReceived = viewer.keyframeRequestsReceived
            senderReportsSent = viewer.senderReportsSent
            receiverReportsReceived = viewer.receiverReportsReceived
            rttMs = viewer.roundTripNanoseconds.map { Double($0 / 1000) / 1000 }
            fractionLost = Double(viewer.fractionLost) / 256
            packetsLost = viewer.packetsLost
            jitterMs = Double(viewer.jitterMicroseconds) / 1000
            framesDropped = viewer.framesDropped
            packetsDropped = viewer.packetsDropped
            congested = viewer.congested
        }
    }

    let streamID: String
    let viewerCount: Int
    let framesReceived: UInt64
    let keyframesReceived: UInt64
    let bitrateInKbps: Int
    let packetsOut: UInt64
    let nacksReceived: UInt64
    let rtxSent: UInt64
    let plisReceived: UInt64
    let keyframeRequestsSent: UInt64
    let targetBitrateKbps: Int
    let publisherConnected: Bool
    let packetsIn: UInt64
    let bytesIn: UInt64
    let bytesOut: UInt64
    let bitrateOutKbps: Int
    let senderReportsSent: UInt64
    let framesDropped: UInt64
    let viewers: [Viewer]

    enum CodingKeys: String, CodingKey {
        case streamID = "stream_id", viewerCount = "viewer_count", framesReceived = "frames_received"
        case keyframesReceived = "keyframes_received", bitrateInKbps = "bitrate_in_kbps", packetsOut = "packets_out"
        case nacksReceived = "nacks_received", rtxSent = "rtx_sent", plisReceived = "plis_received"
        case keyframeRequestsSent = "keyframe_requests_sent", targetBitrateKbps = "target_bitrate_kbps"
        case publisherConnected = "publisher_connected", packetsIn = "packets_in", bytesIn = "bytes_in", bytesOut = "bytes_out"
        case bitrateOutKbps = "bitrate_out_kbps", senderReportsSent = "sender_reports_sent"
        case framesDropped = "frames_dropped", viewers
    }

    /// `stats` from the SFU (nil: zeros); the target is the SFU's (WHIP publishers) or the stream's own.
    init(stream: StreamRecord, stats: SFUStreamStats?) {
        let s = stats ?? SFUStreamStats(streamID: stream.id, publisherConnected: false, viewerCount: 0)
        streamID = stream.id
        viewerCount = s.viewerCount
        framesReceived = s.framesReceived
        keyframesReceived = s.keyframesReceived
        bitrateInKbps = s.bitrateInKbps
        packetsOut = s.out.packetsSent
        nacksReceived = s.out.nacksReceived
        rtxSent = s.out.retransmissionsSent
        plisReceived = s.out.keyframeRequestsReceived
        keyframeRequestsSent = s.keyframeRequestsSent
        targetBitrateKbps = s.targetBitrateKbps ?? stream.bitrateKbps ?? 0
        publisherConnected = s.publisherConnected
        packetsIn = s.packetsIn
        bytesIn = s.bytesIn
        bytesOut = s.out.bytesSent
        bitrateOutKbps = s.bitrateOutKbps
        senderReportsSent = s.out.senderReportsSent
        framesDropped = s.out.framesDropped
        viewers = s.viewers.map(Viewer.init)
    }
}
