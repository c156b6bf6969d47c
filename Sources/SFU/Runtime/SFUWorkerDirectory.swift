import NIOCore
import Synchronization

/// What the SFU's workers (one event loop and one `SO_REUSEPORT` socket each, `sfu.workers`,
/// streaming.md §3.10) share: the streams' identities (SSRCs, home worker), admission counts, peers
/// that were answered but have not sent their first STUN yet, and which worker owns each claimed
/// peer. Everything here is on the control path or on a datagram the receiving worker does not
/// know (first STUN of a peer, a publisher's datagrams landing on another worker); the packet path
/// of a known peer never takes this lock.
final class SFUWorkerDirectory: Sendable {
    let workerCount: Int
    private let state = Mutex(State())

    private struct State {
        var streams: [String: SFUStreamIdentity] = [:]
        var nextHome = 0
        /// Answered peers waiting for their first STUN, by our ICE ufrag.
        var tickets: [String: SFUPeerTicket] = [:]
        /// Claimed peers' ufrags (current and restarted) → their worker.
        var ufragOwners: [String: (worker: Int, peerID: String)] = [:]
        /// Every live peer (pending or claimed) → where it is.
        var peers: [String: Location] = [:]
        var viewersByStream: [String: Int] = [:]
        var viewersTotal = 0
        /// The stream's publisher (pending or claimed), for the one-publisher rule.
        var publishers: [String: String] = [:]
    }

    enum Location: Sendable, Equatable {
        case pending(ufrag: String)
        case worker(Int)
    }

    init(workerCount: Int) {
        self.workerCount = max(workerCount, 1)
    }

    /// The stream's identity: the stored one, or a new one (SSRCs, the next home in round robin)
    /// that ``admit(_:maxViewersPerStream:maxViewersTotal:)`` or ``register(_:)`` stores once a peer
    /// or source is accepted, so a refused offer leaves nothing behind.
    func identity(for streamID: String, media: SDPStreamMedia) -> SFUStreamIdentity {
        state.withLock { state in
            if let identity = state.streams[streamID] { return identity }
            return SFUStreamIdentity(streamID: streamID, media: media, home: state.nextHome % workerCount)
        }
    }

    /// Stores a new identity; the stored one when another caller stored one first.
    func register(_ identity: SFUStreamIdentity) -> SFUStreamIdentity {
        state.withLock { Self.store(identity, in: &$0) }
    }

    private static func store(_ identity: SFUStreamIdentity, in state: inout State) -> SFUStreamIdentity {
        if let stored = state.streams[identity.streamID] { return stored }
        state.streams[identity.streamID] = identity
        state.nextHome &+= 1
        return identity
    }

    /// An H.264 source's SPS names another profile or level: viewers that join from now on
    /// negotiate it (those already connected keep theirs; Chromium's decoder follows the SPS).
    func updateVideoCodec(_ codec: WebRTCCodec, of identity: SFUStreamIdentity) {
        state.withLock { state in
            guard let stored = state.streams[identity.streamID], stored == identity, stored.media.videoCodecs != [codec] else { return }
            state.streams[identity.streamID]?.media = SDPStreamMedia(videoCodecs: [codec], audioCodec: stored.media.audioCodec)
        }
    }

    func existingIdentity(of streamID: String) -> SFUStreamIdentity? {
        state.withLock { $0.streams[streamID] }
    }

    /// Admits an answered peer (limits and the one-publisher rule checked under the same lock).
    /// False when the ticket was answered with a new identity and another caller stored a different
    /// one meanwhile: the caller negotiates again with that one.
    func admit(_ ticket: SFUPeerTicket, maxViewersPerStream: Int, maxViewersTotal: Int) -> Result<Bool, SFUError> {
        state.withLock { state in
            guard Self.store(ticket.identity, in: &state) == ticket.identity else { return .success(false) }
            if ticket.role == .publisher {
                if state.publishers[ticket.streamID] != nil { return .failure(.publisherExists) }
                state.publishers[ticket.streamID] = ticket.id
            } else {
                let count = state.viewersByStream[ticket.streamID, default: 0]
                if count >= maxViewersPerStream || state.viewersTotal >= maxViewersTotal { return .failure(.atCapacity) }
                state.viewersByStream[ticket.streamID] = count + 1
                state.viewersTotal += 1
            }
            state.tickets[ticket.ice.localCredentials.ufrag] = ticket
            state.peers[ticket.id] = .pending(ufrag: ticket.ice.localCredentials.ufrag)
            return .success(true)
        }
    }

    /// A STUN check named `ufrag` reached `worker`, which does not know it. A viewer's ticket is
    /// claimed by that worker; a publisher's only by its stream's home (another worker gets
    /// `.forward` to it, and keeps forwarding that address's datagrams); a peer already claimed
    /// elsewhere (an ICE restart from a new address) is forwarded to its owner.
    func route(ufrag: String, worker: Int) -> SFUTicketRoute {
        state.withLock { state in
            if let owner = state.ufragOwners[ufrag] {
                return owner.worker == worker ? .unknown : .forward(worker: owner.worker, peerID: owner.peerID)
            }
            guard let ticket = state.tickets[ufrag] else { return .unknown }
            let target = ticket.role == .publisher ? ticket.identity.home : worker
            guard target == worker else { return .forward(worker: target, peerID: ticket.id) }
            state.tickets[ufrag] = nil
            state.peers[ticket.id] = .worker(worker)
            state.ufragOwners[ufrag] = (worker, ticket.id)
            return .claim(ticket)
        }
    }

    func location(of peerID: String) -> Location? {
        state.withLock { $0.peers[peerID] }
    }

    /// An ICE restart of a peer that has not been claimed yet: its ticket moves to the new ufrag.
    /// Nil when the peer is no longer pending (the caller then asks its worker).
    func restartPending(peerID: String, remoteUfrag: String) -> Result<(credentials: ICECredentials, mids: [String])?, SFUError>? {
        state.withLock { state in
            guard case .pending(let ufrag) = state.peers[peerID], var ticket = state.tickets[ufrag] else { return nil }
            let mids = ticket.negotiation.bundleMids
            if ticket.ice.expectedRemoteUfrag == remoteUfrag {
                return .success(ticket.ice.isRestartPending ? (ticket.ice.localCredentials, mids) : nil)
            }
            let credentials = ICECredentials.random()
            ticket.ice.restart(newUfrag: credentials.ufrag, newPassword: credentials.password, remoteUfrag: remoteUfrag)
            state.tickets[ufrag] = nil
            state.tickets[credentials.ufrag] = ticket
            state.peers[peerID] = .pending(ufrag: credentials.ufrag)
            return .success((credentials, mids))
        }
    }

    /// A claimed peer's new ufrag after an ICE restart: checks with it that land on another worker
    /// are forwarded to the owner.
    func registerUfrag(_ ufrag: String, worker: Int, peerID: String) {
        state.withLock { $0.ufragOwners[ufrag] = (worker, peerID) }
    }

    /// Takes a pending peer out (removed before its first STUN); nil when it is not pending.
    func takePending(peerID: String) -> SFUPeerTicket? {
        state.withLock { state in
            guard case .pending(let ufrag) = state.peers[peerID], let ticket = state.tickets.removeValue(forKey: ufrag) else {
                return nil
            }
            Self.release(ticket.id, streamID: ticket.streamID, role: ticket.role, ufrags: [ufrag], in: &state)
            return ticket
        }
    }

    /// Pending peers older than `maxAgeNanoseconds` (their client never sent a STUN check).
    func takeExpired(now: UInt64, maxAgeNanoseconds: UInt64) -> [SFUPeerTicket] {
        state.withLock { state in
            let expired = state.tickets.filter { now &- $0.value.createdAt > maxAgeNanoseconds }
            for (ufrag, ticket) in expired {
                state.tickets[ufrag] = nil
                Self.release(ticket.id, streamID: ticket.streamID, role: ticket.role, ufrags: [ufrag], in: &state)
            }
            return Array(expired.values)
        }
    }

    /// Pending peers of a stream that is being closed.
    func takePending(streamID: String) -> [SFUPeerTicket] {
        state.withLock { state in
            let tickets = state.tickets.filter { $0.value.streamID == streamID }
            for (ufrag, ticket) in tickets {
                state.tickets[ufrag] = nil
                Self.release(ticket.id, streamID: ticket.streamID, role: ticket.role, ufrags: [ufrag], in: &state)
            }
            return Array(tickets.values)
        }
    }

    /// Answered peers of a stream that have not been claimed yet (they count as not connected).
    func pending(streamID: String) -> [SFUPeerTicket] {
        state.withLock { $0.tickets.values.filter { $0.streamID == streamID } }
    }

    /// How many answered viewers and publishers have not been claimed yet.
    func pendingCounts() -> (viewers: Int, publishers: Int) {
        state.withLock { state in
            let publishers = state.tickets.values.reduce(0) { $0 + ($1.role == .publisher ? 1 : 0) }
            return (state.tickets.count - publishers, publishers)
        }
    }

    /// A claimed peer closed on its worker.
    func released(peerID: String, streamID: String, role: SFUPeer.Role, ufrags: [String]) {
        state.withLock { Self.release(peerID, streamID: streamID, role: role, ufrags: ufrags, in: &$0) }
    }

    /// Is this peer still live anywhere (forwarding entries of closed peers are dropped)?
    func isLive(peerID: String) -> Bool {
        state.withLock { $0.peers[peerID] != nil }
    }

    /// The stream stopped: the next peer or source of the same id starts a new identity.
    func forget(streamID: String) {
        _ = state.withLock { $0.streams.removeValue(forKey: streamID) }
    }

    private static func release(_ peerID: String, streamID: String, role: SFUPeer.Role, ufrags: [String], in state: inout State) {
        guard state.peers.removeValue(forKey: peerID) != nil else { return }
        for ufrag in ufrags where state.ufragOwners[ufrag] != nil { state.ufragOwners[ufrag] = nil }
        if role == .publisher {
            if state.publishers[streamID] == peerID { state.publishers[streamID] = nil }
        } else {
            let count = state.viewersByStream[streamID, default: 1] - 1
            state.viewersByStream[streamID] = count > 0 ? count : nil
            state.viewersTotal -= 1
        }
    }
}

/// What a worker does with a STUN check of a ufrag it does not know.
enum SFUTicketRoute: Sendable {
    case claim(SFUPeerTicket)
    /// To that worker, which owns (or will own) the peer of this id.
    case forward(worker: Int, peerID: String)
    case unknown
}

/// The parts of a stream every worker's copy of its room shares: its SSRCs and CNAME (viewers on
/// any worker see one sender) and the worker whose copy runs the ingress. Two identities are the
/// same stream when id, home and SSRCs match; `media` is what viewers negotiate now (an H.264
/// source's SPS may change its profile-level-id).
struct SFUStreamIdentity: Sendable, Equatable {
    let streamID: String
    var media: SDPStreamMedia
    let home: Int
    let videoSSRC: UInt32
    let videoRTXSSRC: UInt32
    let audioSSRC: UInt32
    var cname: String { "marionette-" + streamID }

    init(streamID: String, media: SDPStreamMedia, home: Int) {
        self.streamID = streamID
        self.media = media
        self.home = home
        var ssrcs: Set<UInt32> = []
        while ssrcs.count < 3 { ssrcs.insert(UInt32.random(in: 1 ... .max)) }
        let values = Array(ssrcs)
        videoSSRC = values[0]
        videoRTXSSRC = values[1]
        audioSSRC = values[2]
    }

    static func == (lhs: SFUStreamIdentity, rhs: SFUStreamIdentity) -> Bool {
        lhs.streamID == rhs.streamID && lhs.home == rhs.home && lhs.videoSSRC == rhs.videoSSRC
            && lhs.videoRTXSSRC == rhs.videoRTXSSRC && lhs.audioSSRC == rhs.audioSSRC
    }

    /// What a viewer's answer announces (msid with separate streams for video and audio).
    var outgoingTracks: SDPOutgoingTracks {
        SDPOutgoingTracks(
            cname: cname,
            video: SDPOutgoingTrack(ssrc: videoSSRC, rtxSSRC: videoRTXSSRC, streamID: streamID + "-video", trackID: "video"),
            audio: media.audioCodec == nil
                ? nil : SDPOutgoingTrack(ssrc: audioSSRC, rtxSSRC: nil, streamID: streamID + "-audio", trackID: "audio"))
    }
}

/// An answered peer before its first STUN check: everything its worker needs to make it.
struct SFUPeerTicket: Sendable {
    let id: String
    let identity: SFUStreamIdentity
    let role: SFUPeer.Role
    let negotiation: SDPNegotiation
    var ice: ICELiteResponder
    let createdAt: UInt64
    var streamID: String { identity.streamID }
}
