import NIOCore

/// One WHEP viewer or WHIP publisher: its ICE-lite responder, DTLS association, SRTP sessions and
/// the negotiated parameters. Confined to the SFU's event loop (never shared across threads).
final class SFUPeer {
    enum Role: Sendable, Equatable { case viewer, publisher }
    enum State: Sendable, Equatable { case new, connecting, connected, closed }

    let id: String
    let streamID: String
    let role: Role
    let negotiation: SDPNegotiation
    /// What the answer said about our outgoing tracks (viewers only).
    let mid: (video: String, audio: String?)
    var ice: ICELiteResponder
    let dtls: DTLSEndpoint
    /// SRTCP out (and SRTP out when the profile is AES-CM).
    var outbound: SRTPSession?
    /// SRTP out when the profile is AEAD_AES_128_GCM: the per-packet fan-out path on OpenSSL.
    var outboundRTP: SRTPGCMSender?
    var inbound: SRTPSession?
    var state: State = .new
    /// The selected pair's remote address (the latest nominated check).
    var address: SocketAddress?
    let createdAt: UInt64
    var connectedAt: UInt64?
    /// Until then video packets carry playout-delay (the first second after a join).
    var playoutDelayUntil: UInt64 = 0
    var rtxSequenceNumber = UInt16.random(in: .min ... .max)
    var packetsSent: UInt64 = 0
    var bytesSent: UInt64 = 0
    var firstMediaSentAt: UInt64?
    /// RTP packets and payload octets sent on the video and audio SSRCs (RTX excluded): what the
    /// sender reports to this viewer count (RFC 3550 §6.4.1).
    var videoPacketsSent: UInt64 = 0
    var videoPayloadOctetsSent: UInt64 = 0
    var audioPacketsSent: UInt64 = 0
    var audioPayloadOctetsSent: UInt64 = 0
    /// When the last sender reports went to this viewer; nil before the first.
    var lastSenderReportAt: UInt64?
    var senderReportsSent: UInt64 = 0
    var nacksReceived: UInt64 = 0
    var keyframeRequestsReceived: UInt64 = 0
    var retransmissionsSent: UInt64 = 0
    /// The viewer's latest receiver report on our video SSRC (kept in the stats shape).
    var reception = SFUStreamStats.Viewer(id: "", connected: false)
    /// The viewer's latest REMB (bits/s) and when it came.
    var remb: (bitsPerSecond: UInt64, at: UInt64)?
    /// From its receiver reports' loss, for viewers that send no REMB.
    var lossEstimate: SFULossBasedEstimate?
    /// Which video packets this viewer gets when it cannot keep up, and its own sequence numbering.
    var frameGate = SFUViewerFrameGate()
    var srtpProfile: SRTPProfile?
    /// Last receiver report + REMB sent (publishers).
    var lastFeedbackAt: UInt64 = 0
    /// Publishers that negotiated transport-cc: the extension id and the arrivals not yet reported.
    let transportWideCCID: UInt8?
    var transportWideCC: SFUTransportWideCCRecorder?
    var lastTransportFeedbackAt: UInt64 = 0

    init(
        id: String, streamID: String, role: Role, negotiation: SDPNegotiation, ice: ICELiteResponder, dtls: DTLSEndpoint,
        now: UInt64
    ) {
        self.id = id
        self.streamID = streamID
        self.role = role
        self.negotiation = negotiation
        self.mid = (negotiation.video.mid, negotiation.audio?.mid)
        self.ice = ice
        self.dtls = dtls
        self.createdAt = now
        if role == .publisher, negotiation.video.feedback.contains(.transportCC),
            let id = negotiation.video.headerExtensions.transportWideCC ?? negotiation.audio?.headerExtensions.transportWideCC
        {
            transportWideCCID = id
            transportWideCC = SFUTransportWideCCRecorder()
        } else {
            transportWideCCID = nil
        }
    }

    var isConnected: Bool { state == .connected }

    /// The viewer's downlink estimate (bits/s): its REMB of the last 5 s, else the loss-based one.
    func downlinkEstimate(now: UInt64) -> UInt64? {
        if let remb, now &- remb.at < 5_000_000_000 { return remb.bitsPerSecond }
        return lossEstimate?.bitsPerSecond
    }

    /// This viewer's egress counters for the stream stats.
    var viewerStats: SFUStreamStats.Viewer {
        var stats = SFUStreamStats.Viewer(id: id, connected: isConnected)
        stats.packetsSent = packetsSent
        stats.bytesSent = bytesSent
        stats.retransmissionsSent = retransmissionsSent
        stats.nacksReceived = nacksReceived
        stats.keyframeRequestsReceived = keyframeRequestsReceived
        stats.senderReportsSent = senderReportsSent
        stats.receiverReportsReceived = reception.receiverReportsReceived
        stats.roundTripNanoseconds = reception.roundTripNanoseconds
        stats.fractionLost = reception.fractionLost
        stats.packetsLost = reception.packetsLost
        stats.jitterMicroseconds = reception.jitterMicroseconds
        stats.framesDropped = frameGate.framesDropped
        stats.packetsDropped = frameGate.packetsDropped
        stats.congested = frameGate.downlinkCongested
        return stats
    }
}
