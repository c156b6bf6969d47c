import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SFU's packet path on the UDP socket's event loop (streaming.md §3.10): demultiplex (RFC 7983),
/// answer ICE checks, run DTLS, unprotect publisher media, cache it once per track and fan it out to
/// every connected viewer (header written per viewer into its SRTP output buffer, protected, queued
/// and flushed once per read batch, which NIO sends with `sendmmsg`). Everything here is synchronous
/// on the loop: no task or actor hop per packet. Control operations (add/remove peers) arrive as
/// closures submitted to the same loop by ``SFUServer``.
///
/// With more than one worker (`sfu.workers`), each worker's handler owns the peers whose first STUN
/// check reached its socket (a publisher: its stream's home worker) and a copy of their rooms; the
/// home copy hands each batch of new packets once to the other workers (``receiveMirrored``), and a
/// datagram of a peer another worker owns is handed to that worker (``receiveForwarded``).
final class SFUPacketHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let configuration: SFUConfiguration
    let dtlsContext: DTLSContext
    let events: AsyncStream<SFUEvent>.Continuation
    let logger: Logger
    /// This worker's index, and where the workers find each other's peers.
    let worker: Int
    let directory: SFUWorkerDirectory
    /// Every worker's handler, this one included (set by ``SFUServer`` once all are bound).
    var peers: [NIOLoopBound<SFUPacketHandler>] = []
    private var context: ChannelHandlerContext?
    private var peersByUfrag: [String: SFUPeer] = [:]
    private var peersByAddress: [SocketAddress: SFUPeer] = [:]
    private var peersByID: [String: SFUPeer] = [:]
    private(set) var rooms: [String: SFURoom] = [:]
    /// The next tick: every 20 ms while this worker has rooms, every second (housekeeping) while it
    /// has none, so an idle server does not wake each loop fifty times a second.
    private var timer: Scheduled<Void>?
    private var tickingFast = false
    static let tickInterval = TimeAmount.milliseconds(20)
    static let idleTickInterval = TimeAmount.seconds(1)
    private var pendingFlush = false
    /// Bytes written since the last flush; at `earlyFlushBytes` they are flushed before the batch
    /// ends, so the channel's writability (NIO counts unflushed writes too) reports what the kernel
    /// could not take rather than the size of our own batch.
    private var unflushedBytes = 0
    private let earlyFlushBytes: Int
    /// The channel is over its write-buffer water mark: delta frames are gated for every viewer (§3.7).
    private var egressQueueFull = false
    private var dtlsScratch = [UInt8](repeating: 0, count: 2048)
    private(set) var counters = SFUCounters()
    private var forwardDelay = SFULatencyHistogram()
    private var firstFrameDelay = SFULatencyHistogram()
    /// Ingress times of the video packets forwarded since the last flush.
    private var forwardStarts: [UInt64] = []
    /// Addresses of peers another worker owns: their datagrams go there.
    private var foreignAddresses: [SocketAddress: (worker: Int, peerID: String)] = [:]
    /// Datagrams to hand to other workers at the end of this batch, by worker.
    private var forwardOutbox: [Int: [AddressedEnvelope<ByteBuffer>]] = [:]
    /// Home rooms with packets for the other workers at the end of this batch.
    private var roomsToMirror: [SFURoom] = []
    /// Set while handling datagrams another worker handed us (never handed on again).
    private var handlingForwarded = false
    private var lastHousekeeping: UInt64 = 0

    init(
        configuration: SFUConfiguration, dtlsContext: DTLSContext, events: AsyncStream<SFUEvent>.Continuation, logger: Logger,
        worker: Int = 0, directory: SFUWorkerDirectory = SFUWorkerDirectory(workerCount: 1)
    ) {
        self.configuration = configuration
        self.dtlsContext = dtlsContext
        self.events = events
        self.logger = logger
        self.worker = worker
        self.directory = directory
        self.earlyFlushBytes = max(configuration.egressQueueBytes / 4, configuration.rtpMTU)
    }

    /// RTCP fraction lost (of 256) from which a viewer under the stream's demand counts as congested.
    static let congestionLossFraction: UInt8 = 13

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Wallclock nanoseconds since the Unix epoch, for the NTP field of sender reports.
    static func wallclockNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        scheduleTick(fast: false)
    }

    private func scheduleTick(fast: Bool) {
        guard let context else { return }
        tickingFast = fast
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: fast ? Self.tickInterval : Self.idleTickInterval) { bound.value.tick() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        for peer in Array(peersByID.values) { close(peer, reason: "SFU stopped") }
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receive(unwrapInboundIn(data))
    }

    private func receive(_ envelope: AddressedEnvelope<ByteBuffer>) {
        var buffer = envelope.data
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        let second = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)
        switch PacketDemux.classify(firstByte: first, secondByte: second) {
        case .stun: receiveSTUN(buffer, from: envelope.remoteAddress)
        case .dtls: receiveDTLS(buffer, from: envelope.remoteAddress)
        case .rtp: receiveRTP(&buffer, from: envelope.remoteAddress)
        case .rtcp: receiveRTCP(&buffer, from: envelope.remoteAddress)
        case .unknown: counters.droppedUnknown += 1
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        endBatch()
    }

    /// The end of a read batch, frame or timer tick: packets and datagrams for other workers go in
    /// one hop per worker, then our own sends are flushed.
    private func endBatch() {
        if !roomsToMirror.isEmpty { handOverMirrored() }
        if !forwardOutbox.isEmpty { handOverForwarded() }
        flushIfNeeded()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        egressQueueFull = !context.channel.isWritable
        if egressQueueFull { logger.debug("SFU send queue over its water mark: gating delta frames") }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and friends surface here per datagram; the socket stays usable.
        logger.debug("SFU socket error", metadata: ["error": "\(error)"])
    }

    private func send(_ buffer: ByteBuffer, to address: SocketAddress) {
        guard let context else { return }
        unflushedBytes += buffer.readableBytes
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: buffer)), promise: nil)
        pendingFlush = true
        if unflushedBytes >= earlyFlushBytes { flushIfNeeded() }
    }

    private func flushIfNeeded() {
        guard pendingFlush, let context else { return }
        pendingFlush = false
        unflushedBytes = 0
        context.flush()
        // Ingress to handed to the kernel, for every packet this flush sent on.
        if !forwardStarts.isEmpty {
            let flushed = Self.now()
            for start in forwardStarts { forwardDelay.record(nanoseconds: flushed &- start) }
            forwardStarts.removeAll(keepingCapacity: true)
        }
    }

    // MARK: ICE

    private func receiveSTUN(_ buffer: ByteBuffer, from remote: SocketAddress) {
        guard let iceAddress = ICEAddress(remote) else { return }
        let now = Self.now()
        // The local ufrag (before ':' in USERNAME) finds the peer; unknown ones get no answer at all.
        let ufrag: String? = buffer.withUnsafeReadableBytes { bytes in
            guard let message = try? STUNMessage(parsing: bytes), let username = message.username,
                let colon = username.firstIndex(of: UInt8(ascii: ":"))
            else { return nil }
            return String(decoding: username[..<colon], as: UTF8.self)
        }
        guard let ufrag else {
            counters.droppedUnknown += 1
            return
        }
        guard let peer = peersByUfrag[ufrag] ?? peerOfUnknownUfrag(ufrag, buffer: buffer, from: remote, now: now) else { return }
        let action = buffer.withUnsafeReadableBytes { peer.ice.handle(datagram: $0, from: iceAddress, now: now) }
        guard case .respond(let bytes, let nominated) = action else { return }
        guard let context else { return }
        send(context.channel.allocator.buffer(bytes: bytes), to: remote)
        // The first valid check gives DTLS a destination; a nominated one (USE-CANDIDATE) moves the pair.
        if nominated || peer.address == nil {
            move(peer, to: remote)
        }
        if peer.state == .new {
            peer.state = .connecting
            flushDTLS(peer)  // as DTLS client our ClientHello has waited for an address
        }
    }

    private func move(_ peer: SFUPeer, to address: SocketAddress) {
        if let old = peer.address, old != address, peersByAddress[old] === peer { peersByAddress[old] = nil }
        peer.address = address
        peersByAddress[address] = peer
    }

    // MARK: Workers

    /// A check whose ufrag this worker does not know: an answered peer's first check (claimed here,
    /// or handed to the stream's home for a publisher), or a peer another worker owns (handed there).
    private func peerOfUnknownUfrag(_ ufrag: String, buffer: ByteBuffer, from remote: SocketAddress, now: UInt64) -> SFUPeer? {
        switch directory.route(ufrag: ufrag, worker: worker) {
        case .claim(let ticket):
            return claim(ticket, now: now)
        case .forward(let owner, let peerID) where !handlingForwarded && peers.indices.contains(owner):
            foreignAddresses[remote] = (owner, peerID)
            forward(buffer, from: remote, to: owner)
            return nil
        case .forward, .unknown:
            counters.droppedUnknown += 1
            return nil
        }
    }

    /// Makes an answered peer on this worker (its DTLS endpoint, its room's copy here).
    private func claim(_ ticket: SFUPeerTicket, now: UInt64) -> SFUPeer? {
        let negotiation = ticket.negotiation
        let dtls: DTLSEndpoint
        do {
            dtls = try DTLSEndpoint(
                context: dtlsContext, role: negotiation.dtlsRole == .server ? .server : .client,
                expectedFingerprint: negotiation.remoteFingerprint.bytes, mtu: configuration.dtlsMTU)
        } catch {
            counters.dtlsFailures += 1
            directory.released(peerID: ticket.id, streamID: ticket.streamID, role: ticket.role, ufrags: [ticket.ice.localCredentials.ufrag])
            events.yield(
                .peerClosed(streamID: ticket.streamID, peerID: ticket.id, publisher: ticket.role == .publisher, reason: "\(error)"))
            return nil
        }
        let peer = SFUPeer(
            id: ticket.id, streamID: ticket.streamID, role: ticket.role, negotiation: negotiation, ice: ticket.ice, dtls: dtls,
            now: ticket.createdAt)
        let room = replica(of: ticket.identity)
        if ticket.role == .publisher { room.publisher = peer } else { room.viewers.append(peer) }
        peersByID[peer.id] = peer
        peersByUfrag[ticket.ice.localCredentials.ufrag] = peer
        return peer
    }

    /// This worker's copy of a stream's room, made on first use.
    private func replica(of identity: SFUStreamIdentity) -> SFURoom {
        if let room = rooms[identity.streamID] { return room }
        let room = SFURoom(identity: identity, worker: worker, configuration: configuration)
        rooms[identity.streamID] = room
        if !tickingFast {
            // The room's timers (DTLS retransmits, keyframe retries, reports) need the 20 ms pace now.
            timer?.cancel()
            scheduleTick(fast: true)
        }
        return room
    }

    /// A datagram from the address of a peer another worker owns goes there (one hop per batch).
    private func forwardIfForeign(_ buffer: ByteBuffer, from remote: SocketAddress) {
        guard !handlingForwarded, let owner = foreignAddresses[remote] else { return }
        forward(buffer, from: remote, to: owner.worker)
    }

    private func forward(_ buffer: ByteBuffer, from remote: SocketAddress, to owner: Int) {
        counters.forwardedToWorkers &+= 1
        forwardOutbox[owner, default: []].append(AddressedEnvelope(remoteAddress: remote, data: buffer))
    }

    private func handOverForwarded() {
        for (owner, datagrams) in forwardOutbox {
            let target = peers[owner]
            target.eventLoop.execute { target.value.receiveForwarded(datagrams) }
        }
        forwardOutbox.removeAll(keepingCapacity: true)
    }

    /// Datagrams that reached another worker's socket from peers this worker owns.
    func receiveForwarded(_ datagrams: [AddressedEnvelope<ByteBuffer>]) {
        handlingForwarded = true
        for datagram in datagrams { receive(datagram) }
        handlingForwarded = false
        endBatch()
    }

    /// Home: this batch's new packets of each stream, once to every other worker.
    private func handOverMirrored() {
        for room in roomsToMirror {
            let packets = room.mirrorOutbox
            room.mirrorOutbox.removeAll(keepingCapacity: true)
            let identity = room.identity
            let timing = room.timing
            for target in peers where target.eventLoop !== context?.eventLoop {
                target.eventLoop.execute { target.value.receiveMirrored(identity: identity, packets: packets, timing: timing) }
            }
        }
        roomsToMirror.removeAll(keepingCapacity: true)
    }

    /// The home worker's new packets of a stream: cached in this worker's copy and sent to its viewers.
    func receiveMirrored(identity: SFUStreamIdentity, packets: [SFUMirroredPacket], timing: SFUSourceTiming) {
        let room: SFURoom
        if let existing = rooms[identity.streamID] {
            guard existing.identity == identity else { return }  // packets of a stream closed meanwhile
            room = existing
        } else {
            // A copy is made before any viewer is here, so a joiner finds the keyframe cached.
            guard directory.existingIdentity(of: identity.streamID) == identity else { return }
            room = replica(of: identity)
        }
        room.adopt(timing)
        let now = Self.now()
        for mirrored in packets {
            distribute(mirrored.packet, in: room, video: mirrored.isVideo, now: now)
        }
        endBatch()
    }

    /// Another worker's viewer asks for a keyframe: the home's throttle decides.
    func requestKeyframe(streamID: String) {
        guard let room = rooms[streamID], room.isHome else { return }
        requestKeyframe(room, now: Self.now())
        endBatch()
    }

    /// Another worker's viewers' downlink estimates, for the stream's target and gate bar.
    func receiveEstimates(streamID: String, from worker: Int, estimates: [UInt64]) {
        guard let room = rooms[streamID], room.isHome else { return }
        room.remoteEstimates[worker] = (estimates, Self.now())
    }

    // MARK: DTLS

    private func receiveDTLS(_ buffer: ByteBuffer, from remote: SocketAddress) {
        guard let peer = peersByAddress[remote] else {
            forwardIfForeign(buffer, from: remote)
            return
        }
        let wasHandshaking = peer.dtls.state == .handshaking
        buffer.withUnsafeReadableBytes { peer.dtls.receive($0) }
        flushDTLS(peer)
        switch peer.dtls.state {
        case .connected(let keys) where wasHandshaking:
            dtlsConnected(peer, keys: keys)
        case .failed(let error):
            counters.dtlsFailures += 1
            close(peer, reason: error.description)
        case .closed where !wasHandshaking:
            close(peer, reason: "DTLS close_notify")
        default:
            break
        }
    }

    private func flushDTLS(_ peer: SFUPeer) {
        guard let address = peer.address, let context else { return }
        while let length = dtlsScratch.withUnsafeMutableBytes({ peer.dtls.popDatagram(into: $0) }) {
            send(context.channel.allocator.buffer(bytes: dtlsScratch[0..<length]), to: address)
        }
    }

    private func dtlsConnected(_ peer: SFUPeer, keys: SRTPKeys) {
        do {
            peer.outbound = try SRTPSession(profile: keys.profile, keyAndSalt: keys.localKeyAndSalt, direction: .outbound)
            if keys.profile == .aeadAES128GCM { peer.outboundRTP = try SRTPGCMSender(keyAndSalt: keys.localKeyAndSalt) }
            peer.inbound = try SRTPSession(profile: keys.profile, keyAndSalt: keys.remoteKeyAndSalt, direction: .inbound)
        } catch {
            close(peer, reason: "SRTP setup failed: \(error)")
            return
        }
        let now = Self.now()
        peer.state = .connected
        peer.connectedAt = now
        peer.srtpProfile = keys.profile
        peer.playoutDelayUntil = now + 1_000_000_000
        events.yield(.peerConnected(streamID: peer.streamID, peerID: peer.id, publisher: peer.role == .publisher, srtpProfile: keys.profile))
        guard peer.role == .viewer, let room = rooms[peer.streamID] else {
            if peer.role == .publisher, let room = rooms[peer.streamID] { requestKeyframe(room, now: now) }
            return
        }
        // A late joiner sees a picture at once: replay the cached keyframe group, then ask for a fresh one.
        for packet in room.video.keyframes.joinBurst(
            maxMilliseconds: configuration.joinBurstMaxMilliseconds, clockRate: room.video.codec.clockRate)
        {
            forwardVideo(packet, room: room, to: peer, egressQueueFull: egressQueueFull, now: now)
        }
        requestKeyframe(room, now: now)
    }

    // MARK: Media from publishers

    private func receiveRTP(_ buffer: inout ByteBuffer, from remote: SocketAddress) {
        guard let peer = peersByAddress[remote] else {
            forwardIfForeign(buffer, from: remote)
            return
        }
        guard peer.role == .publisher, let inbound = peer.inbound, let room = rooms[peer.streamID] else { return }
        do { try inbound.unprotect(&buffer, rtcp: false) } catch {
            counters.droppedUnprotect += 1
            return
        }
        let now = Self.now()
        guard let header = buffer.withUnsafeReadableBytes({ try? RTPHeader(parsing: $0) }) else { return }
        // Every packet counts for transport-cc, RTX and padding (bandwidth probes) included.
        if let id = peer.transportWideCCID,
            let sequence = buffer.withUnsafeReadableBytes({ bytes -> UInt16? in
                guard let range = header.extensionValue(id: id, in: bytes), range.count >= 2 else { return nil }
                return UInt16(bytes[range.lowerBound]) << 8 | UInt16(bytes[range.lowerBound + 1])
            })
        {
            peer.transportWideCC?.record(sequenceNumber: sequence, arrivalMicroseconds: Int64(now / 1000))
        }
        let isVideo: Bool
        if header.payloadType == peer.negotiation.video.payloadType {
            isVideo = true
        } else if let audio = peer.negotiation.audio, header.payloadType == audio.payloadType, room.audio != nil {
            isVideo = false
        } else {
            return  // RTX or FEC from the publisher: not requested, not forwarded
        }
        guard header.payloadLength > 0,
            let payload = buffer.getSlice(at: buffer.readerIndex + header.payloadOffset, length: header.payloadLength)
        else { return }
        var keyframeStart = false
        if isVideo {
            keyframeStart = payload.withUnsafeReadableBytes { bytes in
                switch room.video.codec {
                case .vp8: VP8FrameInspector.isKeyframe(rtpPayload: bytes)
                case .vp9: VP9FrameInspector.isKeyframeStart(rtpPayload: bytes)
                case .h264: H264FrameInspector.isKeyframeStart(rtpPayload: bytes)
                default: false
                }
            }
        }
        if isVideo { _ = room.video.sourceSequence.unwrap(header.sequenceNumber) } else { _ = room.audio?.sourceSequence.unwrap(header.sequenceNumber) }
        room.packetsIn &+= 1
        room.bytesIn &+= UInt64(buffer.readableBytes)
        if isVideo {
            if header.marker { room.framesReceived &+= 1 }
            if keyframeStart { room.keyframesReceived &+= 1 }
        }
        let (sequenceNumber, timestamp) =
            isVideo
            ? room.video.translate(ssrc: header.ssrc, sequenceNumber: header.sequenceNumber, timestamp: header.timestamp)
            : room.audio!.translate(ssrc: header.ssrc, sequenceNumber: header.sequenceNumber, timestamp: header.timestamp)
        let packet = SFUCachedPacket(
            sequenceNumber: sequenceNumber, timestamp: timestamp, marker: header.marker, keyframeStart: keyframeStart,
            arrivalNanoseconds: now, payload: payload)
        distribute(packet, in: room, video: isVideo, now: now)
    }

    /// Caches a packet once for its track and sends it to every connected viewer.
    private func distribute(_ packet: SFUCachedPacket, in room: SFURoom, video isVideo: Bool, now: UInt64) {
        if room.isHome {
            if !room.mediaStarted {
                room.mediaStarted = true
                events.yield(.mediaStarted(streamID: room.streamID))
            }
            if peers.count > 1 {
                if room.mirrorOutbox.isEmpty { roomsToMirror.append(room) }
                room.mirrorOutbox.append(SFUMirroredPacket(packet: packet, isVideo: isVideo))
            }
        }
        if isVideo {
            room.video.cache.insert(packet)
            room.video.keyframes.record(packet)
            room.video.packetsForwarded += 1
            if packet.keyframeStart { room.keyframeThrottle.keyframeReceived() }
            // Read once per packet: every viewer gates on the same state.
            let egressQueueFull = self.egressQueueFull
            for viewer in room.viewers where viewer.isConnected {
                forwardVideo(packet, room: room, to: viewer, egressQueueFull: egressQueueFull, now: now)
            }
            if !room.viewers.isEmpty { forwardStarts.append(packet.arrivalNanoseconds) }
        } else if var audio = room.audio {
            audio.cache.insert(packet)
            audio.packetsForwarded += 1
            room.audio = audio
            // Audio is never gated: it is small, and a gap in it is heard at once.
            for viewer in room.viewers where viewer.isConnected {
                sendMedia(packet, sequenceNumber: packet.sequenceNumber, track: audio, to: viewer, retransmission: false, now: now)
            }
        }
    }

    /// One video packet to one viewer, through its frame gate (streaming.md §3.7): sent with the
    /// viewer's sequence number, or dropped with the rest of its frame while the viewer cannot keep
    /// up; an episode's first drop asks the source for a keyframe through the room's throttle.
    private func forwardVideo(_ packet: SFUCachedPacket, room: SFURoom, to viewer: SFUPeer, egressQueueFull: Bool, now: UInt64) {
        let decision = viewer.frameGate.admit(
            sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, marker: packet.marker,
            keyframeStart: packet.keyframeStart, egressQueueFull: egressQueueFull)
        switch decision {
        case .forward(let sequenceNumber):
            sendMedia(packet, sequenceNumber: sequenceNumber, track: room.video, to: viewer, retransmission: false, now: now)
        case .drop(let cause, let frameStart, let wantsKeyframe):
            switch cause {
            case .downlink:
                counters.droppedCongestion &+= 1
                if frameStart { counters.framesDroppedCongestion &+= 1 }
            case .egressQueue:
                counters.droppedQueueFull &+= 1
                if frameStart { counters.framesDroppedQueueFull &+= 1 }
            }
            if wantsKeyframe { requestKeyframe(room, now: now) }
        }
    }

    // MARK: Media from runners (Media RPC)

    /// Packetizes one encoded frame from a runner once and distributes the packets: VP8 (RFC 7741,
    /// PictureID per frame), VP9 (RFC 9628, PictureID per frame, scalability structure on key frames) or H.264 (RFC 6184, an access unit in Annex B; the cached SPS/PPS go
    /// before every IDR that lacks them). Timestamps come from the capture clock: pts µs × 90 kHz.
    func ingestVideoFrame(streamID: String, ptsMicroseconds: Int64, keyframe: Bool, data: ByteBuffer) {
        guard let room = rooms[streamID], let context else { return }
        // Room for the RTP header and its extensions (≤ 40 bytes) and the SRTP tag.
        let maxPayload = configuration.rtpMTU - 40 - SRTPSession.maxTrailer
        var keyframe = keyframe
        let payloads: [ByteBuffer]
        switch room.video.codec {
        case .vp8: payloads = vp8Payloads(room, data: data, maxPayload: maxPayload, allocator: context.channel.allocator)
        case .vp9:
            payloads = vp9Payloads(room, data: data, keyframe: keyframe, maxPayload: maxPayload, allocator: context.channel.allocator)
        case .h264: payloads = h264Payloads(room, data: data, maxPayload: maxPayload, keyframe: &keyframe, allocator: context.channel.allocator)
        default: return
        }
        guard !payloads.isEmpty else { return }
        let now = Self.now()
        let timestamp = room.video.timestampBase &+ UInt32(truncatingIfNeeded: ptsMicroseconds &* 9 / 100)
        // The capture clock is the source clock of sender reports: pts ↔ arrival, and pts ↔ this timestamp.
        let ptsNanoseconds = ptsMicroseconds &* 1000
        room.sourceClock.observe(sourceNanoseconds: ptsNanoseconds, localNanoseconds: now)
        room.video.senderReportMapping = RTPTimestampMapping(
            sourceNanoseconds: ptsNanoseconds, rtpTimestamp: timestamp, clockRate: room.video.codec.clockRate)
        room.framesReceived &+= 1
        if keyframe { room.keyframesReceived &+= 1 }
        room.bytesIn &+= UInt64(data.readableBytes)
        for (index, payload) in payloads.enumerated() {
            let sequenceNumber = room.video.nextSequenceNumber
            room.video.nextSequenceNumber &+= 1
            room.packetsIn &+= 1
            let packet = SFUCachedPacket(
                sequenceNumber: sequenceNumber, timestamp: timestamp, marker: index == payloads.count - 1,
                keyframeStart: keyframe && index == 0, arrivalNanoseconds: now, payload: payload)
            distribute(packet, in: room, video: true, now: now)
        }
        endBatch()
    }

    /// One Opus packet from a runner (RFC 7587): one RTP packet whose timestamp is the packet's pts
    /// µs × 48 / 1000 plus the track's random base, on the same device clock as the video's pts.
    func ingestAudioFrame(streamID: String, ptsMicroseconds: Int64, data: ByteBuffer) {
        guard let room = rooms[streamID], var audio = room.audio, data.readableBytes > 0,
            data.readableBytes <= configuration.rtpMTU - 40 - SRTPSession.maxTrailer
        else { return }
        let now = Self.now()
        let timestamp = audio.timestampBase &+ UInt32(truncatingIfNeeded: ptsMicroseconds &* 48 / 1000)
        let ptsNanoseconds = ptsMicroseconds &* 1000
        room.sourceClock.observe(sourceNanoseconds: ptsNanoseconds, localNanoseconds: now)
        audio.senderReportMapping = RTPTimestampMapping(
            sourceNanoseconds: ptsNanoseconds, rtpTimestamp: timestamp, clockRate: audio.codec.clockRate)
        let sequenceNumber = audio.nextSequenceNumber
        audio.nextSequenceNumber &+= 1
        room.audio = audio
        room.packetsIn &+= 1
        room.bytesIn &+= UInt64(data.readableBytes)
        let packet = SFUCachedPacket(
            sequenceNumber: sequenceNumber, timestamp: timestamp, marker: false, keyframeStart: false, arrivalNanoseconds: now,
            payload: data)
        distribute(packet, in: room, video: false, now: now)
        endBatch()
    }

    private func vp8Payloads(_ room: SFURoom, data: ByteBuffer, maxPayload: Int, allocator: ByteBufferAllocator) -> [ByteBuffer] {
        guard let packetizer = VP8Packetizer(frameLength: data.readableBytes, maxPayloadSize: maxPayload) else { return [] }
        let pictureID = room.video.pictureID
        room.video.pictureID = (pictureID &+ 1) & 0x7fff
        var payloads: [ByteBuffer] = []
        payloads.reserveCapacity(packetizer.packetCount)
        for slice in packetizer {
            var payload = allocator.buffer(capacity: VP8Packetizer.descriptorLength + slice.frameRange.count)
            payload.writeWithUnsafeMutableBytes(minimumWritableBytes: VP8Packetizer.descriptorLength) { bytes in
                (try? VP8Packetizer.writeDescriptor(into: bytes, pictureID: pictureID, start: slice.isFirst)) ?? 0
            }
            guard var part = data.getSlice(at: data.readerIndex + slice.frameRange.lowerBound, length: slice.frameRange.count)
            else { return [] }
            payload.writeBuffer(&part)
            payloads.append(payload)
        }
        return payloads
    }

    private func vp9Payloads(
        _ room: SFURoom, data: ByteBuffer, keyframe: Bool, maxPayload: Int, allocator: ByteBufferAllocator
    ) -> [ByteBuffer] {
        let size = keyframe ? data.withUnsafeReadableBytes { VP9KeyframeSize(frame: $0) } : nil
        guard let packetizer = VP9Packetizer(frameLength: data.readableBytes, maxPayloadSize: maxPayload, keyframe: keyframe, size: size)
        else { return [] }
        let pictureID = room.video.pictureID
        room.video.pictureID = (pictureID &+ 1) & 0x7fff
        var payloads: [ByteBuffer] = []
        payloads.reserveCapacity(packetizer.packetCount)
        for slice in packetizer {
            let descriptor = packetizer.descriptorLength(of: slice)
            var payload = allocator.buffer(capacity: descriptor + slice.frameRange.count)
            payload.writeWithUnsafeMutableBytes(minimumWritableBytes: descriptor) { bytes in
                (try? packetizer.writeDescriptor(into: bytes, pictureID: pictureID, slice: slice)) ?? 0
            }
            guard var part = data.getSlice(at: data.readerIndex + slice.frameRange.lowerBound, length: slice.frameRange.count)
            else { return [] }
            payload.writeBuffer(&part)
            payloads.append(payload)
        }
        return payloads
    }

    /// RFC 6184 payloads of one access unit. An SPS that differs from the cached one also becomes
    /// the profile-level-id later viewers negotiate (streaming.md §3.3: derived from the source SPS).
    private func h264Payloads(
        _ room: SFURoom, data: ByteBuffer, maxPayload: Int, keyframe: inout Bool, allocator: ByteBufferAllocator
    ) -> [ByteBuffer] {
        data.withUnsafeReadableBytes { frame -> [ByteBuffer] in
            var units = H264Packetizer.nalUnits(frame).map { UnsafeRawBufferPointer(rebasing: frame[$0]) }
            let contents = room.video.parameterSets.observe(units)
            if contents.spsChanged, let sps = room.video.parameterSets.sps,
                let profile = WebRTCH264ProfileLevelID(sps: sps)
            {
                directory.updateVideoCodec(.h264(profile), of: room.identity)
            }
            if contents.hasIDR { keyframe = true }
            let inject = room.video.parameterSets.needsInjection(contents)
            let sps = room.video.parameterSets.sps ?? []
            let pps = room.video.parameterSets.pps ?? []
            return sps.withUnsafeBytes { spsBytes in
                pps.withUnsafeBytes { ppsBytes in
                    if inject { units.insert(contentsOf: [spsBytes, ppsBytes], at: 0) }
                    var payloads: [ByteBuffer] = []
                    for packet in H264Packetizer.plan(nalSizes: units.map(\.count), maxPayloadSize: maxPayload) {
                        let length = H264Packetizer.payloadLength(packet, nals: units)
                        var payload = allocator.buffer(capacity: length)
                        let written = payload.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { bytes in
                            (try? H264Packetizer.write(packet, nals: units, into: bytes)) ?? 0
                        }
                        guard written == length else { return [] }
                        payloads.append(payload)
                    }
                    return payloads
                }
            }
        }
    }

    /// A runner source starts (or comes back after a reconnect): its room keeps viewers and numbering.
    func attachSource(
        identity: SFUStreamIdentity, maxBitrateKbps: Int?, onKeyframeRequest: @escaping @Sendable () -> Void,
        onBitrateTarget: @escaping @Sendable (Int) -> Void
    ) {
        let room = replica(of: identity)
        if let maxBitrateKbps, maxBitrateKbps > 0, room.bitrateController.maximum != UInt64(maxBitrateKbps) * 1000 {
            room.bitrateController = SFUBitrateController(
                minimum: configuration.minimumBitrateBitsPerSecond, maximum: UInt64(maxBitrateKbps) * 1000)
        }
        room.sourceKeyframeRequest = onKeyframeRequest
        room.sourceBitrateTarget = onBitrateTarget
        room.resetSourceClock()
    }

    func detachSource(streamID: String) {
        guard let room = rooms[streamID] else { return }
        room.sourceKeyframeRequest = nil
        room.sourceBitrateTarget = nil
        room.mediaStarted = false
    }

    /// Writes one packet for one viewer: that viewer's header (payload type, extension ids, its
    /// `sequenceNumber`, RTX numbering) into a fresh buffer, the shared payload after it, SRTP in
    /// place, queued for send.
    private func sendMedia(
        _ packet: SFUCachedPacket, sequenceNumber: UInt16, track: SFUTrack, to viewer: SFUPeer, retransmission: Bool, now: UInt64
    ) {
        guard let context, let address = viewer.address, let srtp = viewer.outbound else { return }
        let negotiated: SDPNegotiatedTrack
        let mid: String
        if track.kind == .video {
            negotiated = viewer.negotiation.video
            mid = viewer.mid.video
        } else {
            guard let audio = viewer.negotiation.audio, let audioMid = viewer.mid.audio else { return }
            negotiated = audio
            mid = audioMid
        }
        var writer: RTPHeaderWriter
        var rtx = false
        if retransmission, let rtxPayloadType = negotiated.rtxPayloadType {
            writer = RTPHeaderWriter(
                payloadType: rtxPayloadType, marker: packet.marker, sequenceNumber: viewer.rtxSequenceNumber,
                timestamp: packet.timestamp, ssrc: track.rtxSSRC)
            viewer.rtxSequenceNumber &+= 1
            rtx = true
        } else {
            writer = RTPHeaderWriter(
                payloadType: negotiated.payloadType, marker: packet.marker, sequenceNumber: sequenceNumber,
                timestamp: packet.timestamp, ssrc: track.ssrc)
        }
        let extensions = negotiated.headerExtensions
        if let id = extensions.mid {
            writer.midID = id
            writer.mid = mid
        }
        if let id = extensions.absSendTime {
            writer.absSendTimeID = id
            writer.absSendTime = RTPAbsSendTime.encode(nanoseconds: now)
        }
        if track.kind == .video, let id = extensions.playoutDelay {
            // min 0 makes Chrome use its low-latency renderer (streaming.md §3.8).
            writer.playoutDelayID = id
            writer.playoutDelayMin = 0
            writer.playoutDelayMax = UInt16(configuration.playoutDelayMaxMilliseconds / 10)
        }
        guard let headerLength = try? writer.headerLength() else { return }
        var buffer = context.channel.allocator.buffer(
            capacity: headerLength + 2 + packet.payload.readableBytes + SRTPSession.maxTrailer)
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: headerLength) { bytes in
            (try? writer.write(into: bytes)) ?? 0
        }
        guard written == headerLength else { return }
        if rtx { buffer.writeInteger(sequenceNumber) }  // RFC 4588: the original (viewer's) sequence number
        var payload = packet.payload
        buffer.writeBuffer(&payload)
        do {
            if let gcm = viewer.outboundRTP { try gcm.protect(&buffer) } else { try srtp.protect(&buffer, rtcp: false) }
        } catch {
            counters.droppedProtect += 1
            return
        }
        // Sender-report counts: packets on the media SSRC (retransmissions too when there is no RTX),
        // counted before the test-only loss so the viewer sees that loss as loss.
        if !rtx {
            if track.kind == .video {
                viewer.videoPacketsSent &+= 1
                viewer.videoPayloadOctetsSent &+= UInt64(packet.payload.readableBytes)
            } else {
                viewer.audioPacketsSent &+= 1
                viewer.audioPayloadOctetsSent &+= UInt64(packet.payload.readableBytes)
            }
        }
        if configuration.testDropEgressPercent > 0, Int.random(in: 0..<100) < configuration.testDropEgressPercent {
            counters.droppedOnPurpose += 1
            return
        }
        if viewer.firstMediaSentAt == nil {
            viewer.firstMediaSentAt = now
            firstFrameDelay.record(nanoseconds: now &- viewer.createdAt)
        }
        viewer.packetsSent += 1
        viewer.bytesSent += UInt64(buffer.readableBytes)
        counters.packetsSent += 1
        if retransmission {
            counters.retransmissionsSent += 1
            viewer.retransmissionsSent += 1
        }
        send(buffer, to: address)
    }

    // MARK: RTCP

    private func receiveRTCP(_ buffer: inout ByteBuffer, from remote: SocketAddress) {
        guard let peer = peersByAddress[remote] else {
            forwardIfForeign(buffer, from: remote)
            return
        }
        guard let inbound = peer.inbound, let room = rooms[peer.streamID] else { return }
        do { try inbound.unprotect(&buffer, rtcp: true) } catch {
            counters.droppedUnprotect += 1
            return
        }
        guard peer.role == .viewer else {
            receivePublisherRTCP(buffer, room: room)
            return
        }
        var nacks: [(ssrc: UInt32, sequence: UInt16)] = []
        var wantsKeyframe = false
        buffer.withUnsafeReadableBytes { bytes in
            var iterator = RTCPCompoundIterator(bytes)
            while let packet = try? iterator.next() {
                switch packet {
                case .receiverReport(let report):
                    for block in report.reportBlocks(in: bytes) where block.ssrc == room.video.ssrc {
                        receiveReportBlock(block, from: peer, clockRate: room.video.codec.clockRate)
                    }
                case .senderReport(let report):
                    for block in report.reportBlocks(in: bytes) where block.ssrc == room.video.ssrc {
                        receiveReportBlock(block, from: peer, clockRate: room.video.codec.clockRate)
                    }
                case .nack(let nack):
                    for sequence in nack.lostSequenceNumbers(in: bytes) { nacks.append((nack.mediaSSRC, sequence)) }
                case .pictureLossIndication, .fullIntraRequest:
                    wantsKeyframe = true
                case .remb(let remb):
                    peer.remb = (remb.bitrate, Self.now())
                default:
                    break
                }
            }
        }
        let now = Self.now()
        if !nacks.isEmpty {
            peer.nacksReceived += UInt64(nacks.count)
            counters.nacksReceived += UInt64(nacks.count)
            for (ssrc, sequence) in nacks {
                // Video numbers are the viewer's own (frames dropped for it are not in them).
                if ssrc == room.video.ssrc, let cacheSequence = peer.frameGate.cacheSequenceNumber(forViewerSequenceNumber: sequence),
                    let cached = room.video.cache.lookup(cacheSequence, now: now)
                {
                    sendMedia(cached, sequenceNumber: sequence, track: room.video, to: peer, retransmission: true, now: now)
                } else if let audio = room.audio, ssrc == audio.ssrc, let cached = audio.cache.lookup(sequence, now: now) {
                    sendMedia(cached, sequenceNumber: sequence, track: audio, to: peer, retransmission: true, now: now)
                }
            }
        }
        if wantsKeyframe {
            peer.keyframeRequestsReceived += 1
            counters.keyframeRequestsReceived += 1
            requestKeyframe(room, now: now)
        }
    }

    /// A publisher's sender reports tie its RTP clock to its NTP wallclock: they become the source
    /// clock of the sender reports to viewers (timestamps moved into our timeline by the translator's
    /// offset) and the LSR/DLSR of our receiver reports.
    private func receivePublisherRTCP(_ buffer: ByteBuffer, room: SFURoom) {
        let now = Self.now()
        buffer.withUnsafeReadableBytes { bytes in
            var iterator = RTCPCompoundIterator(bytes)
            while let packet = try? iterator.next() {
                guard case .senderReport(let report) = packet else { continue }
                let ntp = NTPTimestamp(rawValue: report.ntpTimestamp)
                if report.ssrc == room.video.sourceSSRC {
                    room.sourceClock.observe(sourceNanoseconds: ntp.nanosecondsSince1900, localNanoseconds: now)
                    room.video.senderReportMapping = RTPTimestampMapping(
                        sourceNanoseconds: ntp.nanosecondsSince1900,
                        rtpTimestamp: report.rtpTimestamp &+ room.video.translator.timestampOffset,
                        clockRate: room.video.codec.clockRate)
                    room.video.lastSourceSenderReport = (ntp.compact, now)
                } else if let audio = room.audio, report.ssrc == audio.sourceSSRC {
                    room.sourceClock.observe(sourceNanoseconds: ntp.nanosecondsSince1900, localNanoseconds: now)
                    room.audio?.senderReportMapping = RTPTimestampMapping(
                        sourceNanoseconds: ntp.nanosecondsSince1900,
                        rtpTimestamp: report.rtpTimestamp &+ audio.translator.timestampOffset, clockRate: audio.codec.clockRate)
                    room.audio?.lastSourceSenderReport = (ntp.compact, now)
                }
            }
        }
    }

    /// A viewer's reception report on our video SSRC (RFC 3550 §6.4.1): loss and jitter as reported,
    /// and the round trip from the sender report it echoes: arrival − LSR − DLSR, in NTP 16.16 units.
    private func receiveReportBlock(_ block: RTCPReportBlock, from viewer: SFUPeer, clockRate: UInt32) {
        viewer.reception.receiverReportsReceived += 1
        viewer.reception.fractionLost = block.fractionLost
        if viewer.lossEstimate == nil {
            viewer.lossEstimate = SFULossBasedEstimate(
                minimum: configuration.minimumBitrateBitsPerSecond, maximum: configuration.publisherBitrateBitsPerSecond)
        }
        viewer.lossEstimate?.report(fractionLost: block.fractionLost)
        viewer.reception.packetsLost = block.cumulativeLost
        viewer.reception.jitterMicroseconds = UInt64(block.jitter) * 1_000_000 / UInt64(max(clockRate, 1))
        guard block.lastSenderReport != 0 else { return }
        let arrival = NTPTimestamp(unixNanoseconds: Self.wallclockNanoseconds()).compact
        let roundTrip = arrival &- block.lastSenderReport &- block.delaySinceLastSenderReport
        guard roundTrip < 0x8000_0000 else { return }  // negative: clocks stepped, or a bogus echo
        viewer.reception.roundTripNanoseconds = (UInt64(roundTrip) * 1_000_000_000) >> 16
    }

    /// The stream's encoding follows its viewers (streaming.md §3.7): each viewer's REMB of the last
    /// 5 s, else its loss-based estimate, into the room's controller; a new target goes to the runner
    /// source as a BitrateTarget and to a WHIP publisher in its next REMB.
    private func updateBitrateTarget(_ room: SFURoom, estimates: [UInt64], now: UInt64) {
        guard room.sourceBitrateTarget != nil || room.publisher != nil else { return }
        guard let target = room.bitrateController.update(estimates: estimates, now: now) else { return }
        room.sourceBitrateTarget?(Int(target / 1000))
    }

    /// Throttled keyframe request (streaming.md §3.6): a PLI to the WHIP publisher.
    private func requestKeyframe(_ room: SFURoom, now: UInt64) {
        guard room.isHome else {
            let home = peers[room.identity.home]
            let streamID = room.streamID
            home.eventLoop.execute { home.value.requestKeyframe(streamID: streamID) }
            return
        }
        if room.keyframeThrottle.request(now: now) { sendKeyframeRequest(room) }
    }

    private func sendKeyframeRequest(_ room: SFURoom) {
        if let request = room.sourceKeyframeRequest {
            counters.keyframeRequestsSent += 1
            room.keyframeRequestsSent += 1
            request()
            return
        }
        guard let publisher = room.publisher, publisher.isConnected, let address = publisher.address,
            let srtp = publisher.outbound, let mediaSSRC = room.video.sourceSSRC ?? publisher.negotiation.video.remoteSSRCs.first,
            let context
        else { return }
        var buffer = context.channel.allocator.buffer(capacity: 12 + SRTPSession.maxTrailer)
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 12) { bytes in
            (try? RTCPWriter.pictureLossIndication(senderSSRC: room.video.ssrc, mediaSSRC: mediaSSRC, into: bytes)) ?? 0
        }
        guard written == 12, (try? srtp.protect(&buffer, rtcp: true)) != nil else { return }
        counters.keyframeRequestsSent += 1
        room.keyframeRequestsSent += 1
        send(buffer, to: address)
    }

    /// Once a second to a WHIP publisher: a receiver report for each of its tracks and a REMB with the
    /// bitrate it may use. Chrome's sender ramps up on these; without any feedback it stays at its floor.
    private func sendPublisherFeedback(_ room: SFURoom, _ publisher: SFUPeer) {
        guard let context, let address = publisher.address, let srtp = publisher.outbound else { return }
        var blocks: [RTCPReportBlock] = []
        var mediaSSRCs: [UInt32] = []
        for track in [room.video] + (room.audio.map { [$0] } ?? []) {
            guard let source = track.sourceSSRC, let highest = track.sourceSequence.highest else { continue }
            mediaSSRCs.append(source)
            // LSR/DLSR (RFC 3550 §6.4.1) let the publisher measure its round-trip time to us.
            var lastSenderReport: UInt32 = 0
            var delay: UInt32 = 0
            if let last = track.lastSourceSenderReport {
                lastSenderReport = last.compactNTP
                delay = UInt32(truncatingIfNeeded: (Self.now() &- last.receivedAt) &* 65536 / 1_000_000_000)
            }
            blocks.append(
                RTCPReportBlock(
                    ssrc: source, fractionLost: 0, cumulativeLost: 0, highestSequenceNumber: UInt32(truncatingIfNeeded: highest),
                    jitter: 0, lastSenderReport: lastSenderReport, delaySinceLastSenderReport: delay))
        }
        guard !mediaSSRCs.isEmpty else { return }
        var buffer = context.channel.allocator.buffer(capacity: 256)
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 200) { bytes in
            guard let rr = try? RTCPWriter.receiverReport(ssrc: room.video.ssrc, reportBlocks: blocks, into: bytes),
                let remb = try? RTCPWriter.remb(
                    senderSSRC: room.video.ssrc, bitrate: room.bitrateController.target ?? configuration.publisherBitrateBitsPerSecond,
                    ssrcs: mediaSSRCs,
                    into: bytes, at: rr)
            else { return 0 }
            return rr + remb
        }
        guard written > 0, (try? srtp.protect(&buffer, rtcp: true)) != nil else { return }
        send(buffer, to: address)
    }

    /// Sender reports (RFC 3550 §6.4.1, streaming.md §3.9) to every viewer that has had media: the
    /// first at the tick after its first packet, then once a second. Each names that viewer's SSRC,
    /// NTP wallclock now, the RTP timestamp of now in the viewer's timeline (from the source clock)
    /// and what was sent to that viewer on the SSRC. Skipped while the mapping is unknown (a WHIP
    /// publisher that has not sent its first sender report yet).
    private func sendSenderReportsIfDue(_ room: SFURoom, now: UInt64) {
        guard let sourceNow = room.sourceClock.reportedSourceNanoseconds(atLocal: now) else { return }
        var ntp: NTPTimestamp?
        for viewer in room.viewers where viewer.isConnected && viewer.videoPacketsSent + viewer.audioPacketsSent > 0 {
            if let last = viewer.lastSenderReportAt, now &- last < 1_000_000_000 { continue }
            let wallclock = ntp ?? NTPTimestamp(unixNanoseconds: Self.wallclockNanoseconds())
            ntp = wallclock
            var sent = false
            if viewer.videoPacketsSent > 0, let mapping = room.video.senderReportMapping {
                sent = sendSenderReport(
                    ssrc: room.video.ssrc, mapping: mapping, sourceNow: sourceNow, ntp: wallclock, packets: viewer.videoPacketsSent,
                    octets: viewer.videoPayloadOctetsSent, cname: room.cname, to: viewer) || sent
            }
            if viewer.audioPacketsSent > 0, let audio = room.audio, let mapping = audio.senderReportMapping {
                sent = sendSenderReport(
                    ssrc: audio.ssrc, mapping: mapping, sourceNow: sourceNow, ntp: wallclock, packets: viewer.audioPacketsSent,
                    octets: viewer.audioPayloadOctetsSent, cname: room.cname, to: viewer) || sent
            }
            if sent {
                viewer.lastSenderReportAt = now
                viewer.senderReportsSent += 1
            }
        }
    }

    private func sendSenderReport(
        ssrc: UInt32, mapping: RTPTimestampMapping, sourceNow: Int64, ntp: NTPTimestamp, packets: UInt64, octets: UInt64,
        cname: String, to viewer: SFUPeer
    ) -> Bool {
        guard let context, let address = viewer.address, let srtp = viewer.outbound else { return false }
        let report = RTCPSenderReportBuilder(
            ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: mapping.rtpTimestamp(atSourceNanoseconds: sourceNow),
            packetCount: UInt32(truncatingIfNeeded: packets), octetCount: UInt32(truncatingIfNeeded: octets), cname: cname)
        let length = report.length
        var buffer = context.channel.allocator.buffer(capacity: length + SRTPSession.maxTrailer)
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { bytes in
            (try? report.write(into: bytes)) ?? 0
        }
        guard written == length, (try? srtp.protect(&buffer, rtcp: true)) != nil else { return false }
        counters.senderReportsSent += 1
        send(buffer, to: address)
        return true
    }

    /// Transport-cc feedback to a WHIP publisher (every 100 ms while packets arrive): arrival times of
    /// every packet by transport-wide sequence number, for its send-side bandwidth estimator.
    private func sendTransportFeedback(_ room: SFURoom, _ publisher: SFUPeer) {
        guard let context, let address = publisher.address, let srtp = publisher.outbound else { return }
        let mediaSSRC = room.video.sourceSSRC ?? publisher.negotiation.video.remoteSSRCs.first ?? 0
        // More than one message only after a gap of over 200 packets between ticks.
        for _ in 0..<4 {
            guard let feedback = publisher.transportWideCC?.nextFeedback(senderSSRC: room.video.ssrc, mediaSSRC: mediaSSRC)
            else { return }
            let length = feedback.length
            var buffer = context.channel.allocator.buffer(capacity: length + SRTPSession.maxTrailer)
            let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { bytes in
                (try? feedback.write(into: bytes)) ?? 0
            }
            guard written == length, (try? srtp.protect(&buffer, rtcp: true)) != nil else { return }
            counters.transportFeedbackSent += 1
            send(buffer, to: address)
        }
    }

    // MARK: Timers

    private func tick() {
        let now = Self.now()
        if now &- lastHousekeeping >= 1_000_000_000 {
            lastHousekeeping = now
            housekeeping(now: now)
        }
        for peer in Array(peersByID.values) {
            if case .handshaking = peer.dtls.state {
                if now &- peer.createdAt > UInt64(configuration.dtlsHandshakeTimeoutMilliseconds) * 1_000_000,
                    peer.state != .new || now &- peer.createdAt > UInt64(configuration.consentTimeoutMilliseconds) * 1_000_000
                {
                    peer.dtls.expire()
                    counters.dtlsFailures += 1
                    close(peer, reason: "DTLS handshake did not finish in time")
                    continue
                }
                if peer.address != nil, peer.dtls.retransmitDelayMilliseconds == 0 {
                    peer.dtls.handleTimeout()
                    flushDTLS(peer)
                }
            }
            let lastCheck = peer.ice.lastValidCheck ?? peer.createdAt
            if now &- lastCheck > UInt64(configuration.consentTimeoutMilliseconds) * 1_000_000 {
                counters.consentTimeouts += 1
                close(peer, reason: "ICE consent expired")
            }
        }
        for room in rooms.values {
            if room.isHome { tickIngress(room, now: now) }
            sendSenderReportsIfDue(room, now: now)
            room.updateBitrates(now: now)
            // The connected viewers' downlink estimates, for the target and the frame gates.
            let estimates = room.viewers.compactMap { $0.isConnected ? $0.downlinkEstimate(now: now) : nil }
            if room.isHome {
                updateGateBar(room, localEstimates: estimates, now: now)
            } else if !estimates.isEmpty, now &- room.estimatesSentAt >= 200_000_000 {
                room.estimatesSentAt = now
                let home = peers[room.identity.home]
                let (streamID, worker) = (room.streamID, self.worker)
                home.eventLoop.execute { home.value.receiveEstimates(streamID: streamID, from: worker, estimates: estimates) }
            }
            updateFrameGates(room, now: now)
        }
        endBatch()
        scheduleTick(fast: !rooms.isEmpty || !peersByID.isEmpty)
    }

    /// Viewers below the bar drop deltas (their frame gates), but only while they also lose packets
    /// (≥ 5 % in their latest report): an app-limited stream's REMB sits near what the viewer
    /// receives (Chrome caps it at 1.5× that), so an idle desktop at 60 kbit/s has viewers "below"
    /// the 300 kbit/s floor that lose nothing.
    private func updateFrameGates(_ room: SFURoom, now: UInt64) {
        for viewer in room.viewers where viewer.isConnected {
            let lossy = viewer.reception.fractionLost >= Self.congestionLossFraction
            viewer.frameGate.updateDownlink(
                estimateBitsPerSecond: lossy ? viewer.downlinkEstimate(now: now) : nil, targetBitsPerSecond: room.gateBar, now: now)
        }
    }

    /// The home copy's timers: keyframe-request retries and the WHIP publisher's feedback.
    private func tickIngress(_ room: SFURoom, now: UInt64) {
        if room.keyframeThrottle.tick(now: now) { sendKeyframeRequest(room) }
        if let publisher = room.publisher, publisher.isConnected, now &- publisher.lastFeedbackAt >= 1_000_000_000 {
            publisher.lastFeedbackAt = now
            sendPublisherFeedback(room, publisher)
        }
        if let publisher = room.publisher, publisher.isConnected, publisher.transportWideCC?.hasPending == true,
            now &- publisher.lastTransportFeedbackAt >= 100_000_000
        {
            publisher.lastTransportFeedbackAt = now
            sendTransportFeedback(room, publisher)
        }
    }

    /// Home: the stream's bitrate target from every worker's viewers, and the frame gates' bar: the
    /// lower of the target sent and what the estimates call for now (the sent one trails a falling
    /// estimate by up to a second, and NACKs recover that better than a wait for a keyframe).
    private func updateGateBar(_ room: SFURoom, localEstimates: [UInt64], now: UInt64) {
        var estimates = localEstimates
        for (worker, remote) in room.remoteEstimates {
            if now &- remote.at > 1_000_000_000 {
                room.remoteEstimates[worker] = nil
            } else {
                estimates += remote.estimates
            }
        }
        updateBitrateTarget(room, estimates: estimates, now: now)
        let bar = room.bitrateController.target.map { sent in
            min(sent, room.bitrateController.proposal(estimates: estimates) ?? sent)
        }
        guard bar != room.gateBar else { return }
        room.gateBar = bar
        // The other workers' viewers gate on it from now, not from the next packets (which carry it too).
        let (identity, worker) = (room.identity, self.worker)
        for target in peers.indices where target != worker {
            let handler = peers[target]
            handler.eventLoop.execute { handler.value.receiveGateBar(identity: identity, bar: bar) }
        }
    }

    /// The home's new gate bar for a stream's viewers on this worker.
    func receiveGateBar(identity: SFUStreamIdentity, bar: UInt64?) {
        guard let room = rooms[identity.streamID], room.identity == identity else { return }
        room.gateBar = bar
        updateFrameGates(room, now: Self.now())
    }

    /// Once a second: answered peers that never sent a check (worker 0 for all), and forwarding
    /// entries of peers that are gone.
    private func housekeeping(now: UInt64) {
        if worker == 0 {
            for ticket in directory.takeExpired(now: now, maxAgeNanoseconds: UInt64(configuration.consentTimeoutMilliseconds) * 1_000_000) {
                counters.consentTimeouts += 1
                events.yield(
                    .peerClosed(
                        streamID: ticket.streamID, peerID: ticket.id, publisher: ticket.role == .publisher, reason: "ICE consent expired"))
            }
        }
        if !foreignAddresses.isEmpty {
            for (address, owner) in foreignAddresses where !directory.isLive(peerID: owner.peerID) {
                foreignAddresses[address] = nil
            }
        }
    }

    // MARK: Control (called on the loop by SFUServer)

    /// New local ICE credentials for a peer whose client restarted ICE with `remoteUfrag`; the old
    /// pair keeps carrying media until a check with the new credentials nominates one, DTLS and SRTP
    /// stay (streaming.md §2). A repeated PATCH of a pending restart gets the same answer again.
    func restartICE(peerID: String, remoteUfrag: String, candidates: [SDPHostCandidate]) -> Result<String?, SFUError> {
        guard let peer = peersByID[peerID] else { return .failure(.unknownPeer) }
        let mids = peer.negotiation.bundleMids
        if peer.ice.expectedRemoteUfrag == remoteUfrag {
            guard peer.ice.isRestartPending else { return .success(nil) }
            return .success(ICERestartFragment.answer(credentials: peer.ice.localCredentials, mids: mids, candidates: candidates))
        }
        let credentials = ICECredentials.random()
        peer.ice.restart(newUfrag: credentials.ufrag, newPassword: credentials.password, remoteUfrag: remoteUfrag)
        peersByUfrag[credentials.ufrag] = peer
        directory.registerUfrag(credentials.ufrag, worker: worker, peerID: peerID)
        logger.debug("ICE restart", metadata: ["peer_id": "\(peerID)"])
        return .success(ICERestartFragment.answer(credentials: credentials, mids: mids, candidates: candidates))
    }

    func removePeer(id: String) -> Bool {
        guard let peer = peersByID[id] else { return false }
        close(peer, reason: "removed")
        flushIfNeeded()
        return true
    }

    /// Server shutdown: every peer gets its BYE and DTLS close_notify while the socket still sends.
    func closeAll(reason: String) {
        for peer in Array(peersByID.values) { close(peer, reason: reason) }
        flushIfNeeded()
    }

    func closeStream(_ streamID: String) {
        guard let room = rooms[streamID] else { return }
        for peer in room.viewers + [room.publisher].compactMap({ $0 }) { close(peer, reason: "stream stopped") }
        rooms[streamID] = nil
        flushIfNeeded()
    }

    func snapshot() -> SFUStats {
        SFUStats(
            counters: counters,
            viewers: rooms.values.reduce(0) { $0 + $1.viewers.count },
            publishers: rooms.values.reduce(0) { $0 + ($1.publisher == nil ? 0 : 1) },
            forwardDelay: forwardDelay, firstFrame: firstFrameDelay)
    }

    /// One stream's counters; nil when the SFU has no room for it (never published, or stopped).
    func streamStats(_ streamID: String) -> SFUStreamStats? {
        guard let room = rooms[streamID] else { return nil }
        var stats = SFUStreamStats(
            streamID: streamID,
            publisherConnected: room.publisher?.isConnected == true || room.sourceKeyframeRequest != nil,
            viewerCount: room.viewers.count)
        stats.packetsIn = room.packetsIn
        stats.bytesIn = room.bytesIn
        stats.framesReceived = room.framesReceived
        stats.keyframesReceived = room.keyframesReceived
        stats.bitrateInKbps = Int(room.bitrateInBitsPerSecond / 1000)
        stats.bitrateOutKbps = Int(room.bitrateOutBitsPerSecond / 1000)
        stats.keyframeRequestsSent = room.keyframeRequestsSent
        // The viewers' target once there is one; before that a WHIP publisher is asked for the
        // configured rate and a runner source encodes at its stream's bitrate (nil: the API says so).
        if let target = room.bitrateController.target {
            stats.targetBitrateKbps = Int(target / 1000)
        } else if room.publisher != nil {
            stats.targetBitrateKbps = Int(configuration.publisherBitrateBitsPerSecond / 1000)
        }
        stats.out = room.egress
        stats.viewers = room.viewers.map(\.viewerStats)
        return stats
    }

    /// RTCP BYE (RFC 3550 §6.6) for our SSRCs towards a peer that is being closed.
    private func sendBye(_ peer: SFUPeer, reason: String) {
        guard peer.isConnected, let context, let address = peer.address, let srtp = peer.outbound,
            let room = rooms[peer.streamID]
        else { return }
        var ssrcs = [room.video.ssrc]
        if peer.role == .viewer {
            if peer.negotiation.video.rtxPayloadType != nil { ssrcs.append(room.video.rtxSSRC) }
            if peer.negotiation.audio != nil, let audio = room.audio { ssrcs.append(audio.ssrc) }
        }
        let text: String? = reason.utf8.count <= 255 ? reason : nil
        var buffer = context.channel.allocator.buffer(capacity: 300 + SRTPSession.maxTrailer)
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 300) { bytes in
            (try? RTCPWriter.bye(ssrcs: ssrcs, reason: text, into: bytes)) ?? 0
        }
        guard written > 0, (try? srtp.protect(&buffer, rtcp: true)) != nil else { return }
        send(buffer, to: address)
    }

    private func close(_ peer: SFUPeer, reason: String) {
        guard peer.state != .closed else { return }
        sendBye(peer, reason: reason)
        if case .connected = peer.dtls.state {
            peer.dtls.close()
            flushDTLS(peer)  // close_notify, so the browser notices at once
        }
        peer.state = .closed
        peersByID[peer.id] = nil
        let ufrags = peersByUfrag.compactMap { $0.value === peer ? $0.key : nil }
        for ufrag in ufrags { peersByUfrag[ufrag] = nil }
        directory.released(peerID: peer.id, streamID: peer.streamID, role: peer.role, ufrags: ufrags)
        if let address = peer.address, peersByAddress[address] === peer { peersByAddress[address] = nil }
        if let room = rooms[peer.streamID] {
            if room.publisher === peer {
                room.publisher = nil
                room.mediaStarted = false  // the next publisher's first packet makes the stream active again
                room.resetSourceClock()
            }
            if room.viewers.contains(where: { $0 === peer }) {
                room.departedViewers.add(peer.viewerStats)
                room.viewers.removeAll { $0 === peer }
            }
        }
        events.yield(.peerClosed(streamID: peer.streamID, peerID: peer.id, publisher: peer.role == .publisher, reason: reason))
    }

    static func map(_ error: SDPNegotiationError) -> SFUError {
        switch error {
        case .unsupportedCodec(let reason): return .unsupportedCodec(reason)
        case .invalidSDP(let reason): return .invalidSDP(reason)
        }
    }
}
