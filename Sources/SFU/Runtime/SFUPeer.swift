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
    var outbound: SRTPSession?
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
    var nacksReceived: UInt64 = 0
    var keyframeRequestsReceived: UInt64 = 0
    var srtpProfile: SRTPProfile?
    /// Last receiver report + REMB sent (publishers).
    var lastFeedbackAt: UInt64 = 0

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
    }

    var isConnected: Bool { state == .connected }
}
