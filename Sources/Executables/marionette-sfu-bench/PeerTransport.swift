import SFU

/// One WebRTC peer's transport, independent of how datagrams move: ICE as the controlling agent
/// (nominating with USE-CANDIDATE, as browsers do against ICE-lite servers), DTLS in the role the SDP
/// gave us, then SRTP/SRTCP sessions keyed from the DTLS exporter. Real handshakes and real crypto:
/// the SFU under test cannot tell this peer from a browser at the transport level.
/// Not thread-safe: one event loop (or the source's one thread) owns it.
final class PeerTransport {
    let localUfrag: String
    let localPassword: String
    let remote: RemoteDescription
    let dtls: DTLSEndpoint
    private let tieBreaker = UInt64.random(in: 0...UInt64.max)
    private(set) var iceConnected = false
    private(set) var inbound: SRTPSession?
    private(set) var outbound: SRTPSession?
    private(set) var profile: SRTPProfile?

    init(credentials: LocalICECredentials, remote: RemoteDescription, context: DTLSContext) throws {
        localUfrag = credentials.ufrag
        localPassword = credentials.password
        self.remote = remote
        dtls = try DTLSEndpoint(context: context, role: remote.localRole, expectedFingerprint: remote.fingerprint)
    }

    var srtpReady: Bool { inbound != nil }

    /// A nominating Binding request (also what keeps consent fresh once connected).
    func bindingRequest() -> [UInt8] {
        var builder = STUNMessageBuilder(messageClass: .request, transactionID: .random())
        builder.append(.username(Array("\(remote.ufrag):\(localUfrag)".utf8)))
        builder.append(.priority(0x6e7f_00ff))
        builder.append(.iceControlling(tieBreaker: tieBreaker))
        builder.append(.useCandidate)
        builder.appendMessageIntegrity(password: remote.password)
        builder.appendFingerprint()
        return builder.bytes
    }

    /// Handles a STUN datagram; returns a response to send when it was a check from the other side
    /// (full-ICE servers check us too).
    func receiveSTUN(_ datagram: UnsafeRawBufferPointer, from address: ICEAddress) -> [UInt8]? {
        guard let message = try? STUNMessage(parsing: datagram) else { return nil }
        switch message.messageClass {
        case .success:
            iceConnected = true
            return nil
        case .request:
            var builder = STUNMessageBuilder(messageClass: .success, transactionID: message.transactionID)
            builder.append(.xorMappedAddress(address))
            builder.appendMessageIntegrity(password: localPassword)
            builder.appendFingerprint()
            return builder.bytes
        default:
            return nil
        }
    }

    /// Feeds a DTLS datagram; sets up SRTP once the handshake completes.
    func receiveDTLS(_ datagram: UnsafeRawBufferPointer) throws {
        dtls.receive(datagram)
        try finishIfConnected()
    }

    /// Retransmits a DTLS flight whose timer ran out.
    func tick() throws {
        if let delay = dtls.retransmitDelayMilliseconds, delay == 0 { dtls.handleTimeout() }
        try finishIfConnected()
    }

    private func finishIfConnected() throws {
        switch dtls.state {
        case .connected(let keys) where inbound == nil:
            outbound = try SRTPSession(profile: keys.profile, keyAndSalt: keys.localKeyAndSalt, direction: .outbound)
            inbound = try SRTPSession(profile: keys.profile, keyAndSalt: keys.remoteKeyAndSalt, direction: .inbound)
            profile = keys.profile
        case .failed(let error):
            throw error
        default:
            break
        }
    }
}
