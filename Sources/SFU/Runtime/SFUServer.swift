import Core
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The SFU as the control plane sees it: `sfu.workers` event loops, each with its own UDP socket on
/// the one media port (`SO_REUSEPORT`: the kernel hashes a 5-tuple to one socket), and async calls
/// that add or remove viewers and publishers (streaming.md §3.10). A viewer lives on the worker its
/// first STUN check reached; a stream's ingress (WHIP publisher or runner source) on the stream's
/// home worker, which hands each read batch of packets once to every other worker. Every call hops
/// once onto the worker that owns what it touches; nothing here is on the per-packet path.
public final class SFUServer: Sendable {
    public let configuration: SFUConfiguration
    public let localAddress: SocketAddress
    public let events: AsyncStream<SFUEvent>
    private let eventsContinuation: AsyncStream<SFUEvent>.Continuation
    private let channels: [any Channel]
    private let workers: [NIOLoopBound<SFUPacketHandler>]
    let directory: SFUWorkerDirectory
    private let dtlsFingerprint: [UInt8]
    private let candidates: [SDPHostCandidate]

    private init(
        configuration: SFUConfiguration, channels: [any Channel], workers: [NIOLoopBound<SFUPacketHandler>],
        directory: SFUWorkerDirectory, events: (AsyncStream<SFUEvent>, AsyncStream<SFUEvent>.Continuation),
        dtlsFingerprint: [UInt8], candidates: [SDPHostCandidate]
    ) {
        self.configuration = configuration
        self.channels = channels
        self.localAddress = channels[0].localAddress!
        self.workers = workers
        self.directory = directory
        self.events = events.0
        self.eventsContinuation = events.1
        self.dtlsFingerprint = dtlsFingerprint
        self.candidates = candidates
    }

    /// The number of workers (event loops with a socket each) this SFU runs.
    public var workerCount: Int { workers.count }

    /// Binds the UDP port once per worker and starts the packet path. The DTLS certificate is made
    /// here, once per process.
    public static func start(
        configuration: SFUConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "marionette.sfu")
    ) async throws -> SFUServer {
        let certificate = try DTLSCertificate()
        let context = try DTLSContext(certificate: certificate, profiles: configuration.srtpProfiles)
        let (events, continuation) = AsyncStream<SFUEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        // Distinct loops: two workers on one loop would only add hops.
        var loops: [any EventLoop] = []
        for loop in group.makeIterator() where !loops.contains(where: { $0 === loop }) { loops.append(loop) }
        let count = max(1, min(configuration.workers, loops.count))
        let directory = SFUWorkerDirectory(workerCount: count)
        let channels = try await bindGroup(configuration: configuration, loops: Array(loops[0..<count])) { index in
            SFUPacketHandler(
                configuration: configuration, dtlsContext: context, events: continuation, logger: logger, worker: index,
                directory: directory)
        }
        let port = channels[0].localAddress?.port ?? configuration.udpPort
        var workers: [NIOLoopBound<SFUPacketHandler>] = []
        for channel in channels {
            let loop = channel.eventLoop
            workers.append(
                try await channel.pipeline.handler(type: SFUPacketHandler.self).map { NIOLoopBound($0, eventLoop: loop) }.get())
        }
        // Each worker keeps its own copy of the others' handles (no lock on its hops).
        for worker in workers {
            let all = workers
            try await worker.eventLoop.submit { worker.value.peers = all }.get()
        }
        let hosts = configuration.publicIPs.isEmpty ? Self.interfaceAddresses(bound: configuration.bindHost) : configuration.publicIPs
        let candidates = hosts.map { host in
            SDPHostCandidate(address: host, port: UInt16(port), family: host.contains(":") ? .ipv6 : .ipv4)
        }
        logger.info(
            "SFU listening",
            metadata: ["address": "\(channels[0].localAddress.map { "\($0)" } ?? "?")", "workers": "\(count)"])
        return SFUServer(
            configuration: configuration, channels: channels, workers: workers, directory: directory,
            events: (events, continuation), dtlsFingerprint: certificate.fingerprint, candidates: candidates)
    }

    /// One socket per worker on one port, in a `SO_REUSEPORT` group when there are several, and no
    /// socket of anybody else in it: the kernel splits peers between a group's sockets by a hash, so
    /// a stranger in the group would silently take some peers' datagrams (and when it joins or
    /// leaves, the hash moves peers between sockets). Port 0 is picked by an exclusive probe, because
    /// UDP's own port-0 search hands out ports that reuse-flagged sockets of the same user hold:
    /// two SFUs of one process once shared a group that way. A port that another socket joined as we
    /// bound fails with EADDRINUSE (a configured port) or is picked again (port 0).
    private static func bindGroup(
        configuration: SFUConfiguration, loops: [any EventLoop], makeHandler: @escaping @Sendable (Int) -> SFUPacketHandler
    ) async throws -> [any Channel] {
        let group = loops.count > 1
        var attempt = 0
        while true {
            attempt += 1
            var channels: [any Channel] = []
            do {
                var port = configuration.udpPort
                if group, port == 0 { port = try await probeFreePort(host: configuration.bindHost, loop: loops[0]) }
                for (index, loop) in loops.enumerated() {
                    let channel = try await bind(configuration: configuration, port: port, loop: loop, reusePort: group) {
                        makeHandler(index)
                    }
                    channels.append(channel)
                    port = channel.localAddress?.port ?? port
                }
                if group, let ip = channels[0].localAddress?.ipAddress,
                    let found = await ProcNetSockets.strangers(.udp, ipAddress: ip, port: port, expected: loops.count)
                {
                    throw IOError(
                        errnoCode: EADDRINUSE,
                        reason: "bind \(ip):\(port) (another socket shares the SFU's port: \(found.count) sockets, "
                            + "\(loops.count) ours; socket inodes \(found.joined(separator: " ")))")
                }
                return channels
            } catch {
                for channel in channels { try? await channel.close() }
                let taken = (error as? IOError)?.errnoCode == EADDRINUSE
                guard taken, configuration.udpPort == 0, attempt < 8 else { throw error }
            }
        }
    }

    /// A port no socket holds, from a bind without reuse flags (which the port-0 search gives only a
    /// port nobody could share), closed again for the group to take.
    private static func probeFreePort(host: String, loop: any EventLoop) async throws -> Int {
        let probe = try await DatagramBootstrap(group: loop).bind(host: host, port: 0).get()
        let port = probe.localAddress?.port
        try await probe.close()
        guard let port else { throw IOError(errnoCode: EADDRNOTAVAIL, reason: "probe for a free UDP port on \(host)") }
        return port
    }

    /// No `SO_REUSEADDR`: UDP has no TIME_WAIT to wait out, and with it set on both, a socket
    /// without `SO_REUSEPORT` could bind our port too, outside the group.
    private static func bind(
        configuration: SFUConfiguration, port: Int, loop: any EventLoop, reusePort: Bool,
        makeHandler: @escaping @Sendable () -> SFUPacketHandler
    ) async throws -> any Channel {
        var bootstrap = DatagramBootstrap(group: loop)
        if reusePort {
            bootstrap = bootstrap.channelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
        }
        return try await bootstrap
            // Publishers' keyframes arrive as bursts; a larger receive buffer absorbs them.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            // What the kernel has not taken stays in NIO's pending writes, unbounded by itself: over
            // this mark the channel turns unwritable and the handler drops delta frames (§3.7).
            .channelOption(
                .writeBufferWaterMark,
                value: ChannelOptions.Types.WriteBufferWaterMark(
                    low: configuration.egressQueueBytes / 2, high: configuration.egressQueueBytes))
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelOption(.maxMessagesPerRead, value: 64)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
            .bind(host: configuration.bindHost, port: port).get()
    }

    /// The bound address, or every interface's IPv4 address when bound to the wildcard (loopback included).
    static func interfaceAddresses(bound host: String) -> [String] {
        guard host == "0.0.0.0" || host == "::" else { return [host] }
        let devices = (try? System.enumerateDevices()) ?? []
        var addresses: [String] = []
        for device in devices {
            if case .v4 = device.address, let ip = device.address?.ipAddress, !addresses.contains(ip) { addresses.append(ip) }
        }
        return addresses.isEmpty ? ["127.0.0.1"] : addresses
    }

    /// A WHEP viewer: the offer in, our peer id and SDP answer out.
    public func addViewer(streamID: String, media: SDPStreamMedia, offer: String) async throws(SFUError) -> (id: String, answer: String) {
        try addPeer(streamID: streamID, media: media, publisher: false, offer: offer)
    }

    /// A WHIP publisher (one per stream).
    public func addPublisher(streamID: String, media: SDPStreamMedia, offer: String) async throws(SFUError) -> (id: String, answer: String) {
        try addPeer(streamID: streamID, media: media, publisher: true, offer: offer)
    }

    /// Negotiates here, on the caller's task (pure), and leaves the answered peer in the directory:
    /// the worker its first STUN check reaches makes it (its stream's home, for a publisher).
    private func addPeer(streamID: String, media: SDPStreamMedia, publisher: Bool, offer: String) throws(SFUError)
        -> (id: String, answer: String)
    {
        guard !isStopped else { throw .notRunning }
        // Twice at most: a first offer of a stream may race another one for its identity.
        for _ in 0..<2 {
            if let added = try addPeer(identity: directory.identity(for: streamID, media: media), publisher: publisher, offer: offer) {
                return added
            }
        }
        throw .notRunning
    }

    private func addPeer(identity: SFUStreamIdentity, publisher: Bool, offer: String) throws(SFUError) -> (id: String, answer: String)? {
        let credentials = ICECredentials.random()
        let config = SDPNegotiatorConfig(
            role: publisher ? .publisher : .viewer(identity.outgoingTracks), media: identity.media,
            transport: SDPLocalTransport(
                iceUfrag: credentials.ufrag, icePwd: credentials.password, fingerprintSHA256: dtlsFingerprint,
                candidates: candidates),
            sessionID: UInt64.random(in: 1...(1 << 62)))
        let answer: SDPAnswer
        do { answer = try SDPNegotiator.negotiate(offer: offer, config: config) } catch {
            throw SFUPacketHandler.map(error)
        }
        let negotiation = answer.negotiation
        guard negotiation.remoteFingerprint.hashFunction.lowercased() == "sha-256", negotiation.remoteFingerprint.bytes.count == 32
        else { throw .invalidSDP("the DTLS fingerprint must be sha-256") }
        let id =
            (publisher ? "pub_" : "view_") + credentials.ufrag.filter { $0.isLetter || $0.isNumber }
            + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let ticket = SFUPeerTicket(
            id: id, identity: identity, role: publisher ? .publisher : .viewer, negotiation: negotiation,
            ice: ICELiteResponder(credentials: credentials, remoteUfrag: negotiation.remoteICEUfrag),
            createdAt: SFUPacketHandler.now())
        let admitted = try directory.admit(
            ticket, maxViewersPerStream: configuration.maxViewersPerStream, maxViewersTotal: configuration.maxViewersTotal
        ).get()
        return admitted ? (id, answer.text) : nil
    }

    /// ICE restart of a peer (WHEP/WHIP PATCH, RFC 9725 §4.3): the client's new ufrag in, the
    /// trickle-ice-sdpfrag answer with our new credentials out; nil when `remoteUfrag` is the one in
    /// use (the PATCH only trickled candidates).
    public func restartICE(peerID: String, remoteUfrag: String) async throws(SFUError) -> String? {
        let candidates = self.candidates
        switch directory.location(of: peerID) {
        case nil:
            throw .unknownPeer
        case .pending:
            // Not claimed yet: the ticket itself restarts (nil from the directory: claimed meanwhile).
            if let result = directory.restartPending(peerID: peerID, remoteUfrag: remoteUfrag) {
                guard let restarted = try result.get() else { return nil }
                return ICERestartFragment.answer(credentials: restarted.credentials, mids: restarted.mids, candidates: candidates)
            }
            return try await restartICE(peerID: peerID, remoteUfrag: remoteUfrag)
        case .worker(let index):
            let worker = workers[index]
            let result: Result<String?, SFUError>
            do {
                result = try await worker.eventLoop.submit {
                    worker.value.restartICE(peerID: peerID, remoteUfrag: remoteUfrag, candidates: candidates)
                }.get()
            } catch { throw .notRunning }
            return try result.get()
        }
    }

    /// The worker whose copy of the stream's room runs its ingress.
    private func home(of streamID: String) -> NIOLoopBound<SFUPacketHandler>? {
        directory.existingIdentity(of: streamID).map { workers[$0.home] }
    }

    /// A runner's media source for `streamID` (Media RPC): keyframe requests from viewers, coalesced and
    /// throttled, come back through `onKeyframeRequest`; bitrate targets (kbps) from the viewers'
    /// estimates through `onBitrateTarget`.
    public func attachSource(
        streamID: String, media: SDPStreamMedia, maxBitrateKbps: Int? = nil, onKeyframeRequest: @escaping @Sendable () -> Void,
        onBitrateTarget: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws(SFUError) {
        let identity = directory.register(directory.identity(for: streamID, media: media))
        let handler = workers[identity.home]
        do {
            try await handler.eventLoop.submit {
                handler.value.attachSource(
                    identity: identity, maxBitrateKbps: maxBitrateKbps, onKeyframeRequest: onKeyframeRequest,
                    onBitrateTarget: onBitrateTarget)
            }.get()
        } catch { throw .notRunning }
    }

    /// One encoded video frame from a runner; packetized once on the stream's home worker (one hop
    /// per frame), which hands the packets once to every other worker.
    public func ingestVideoFrame(streamID: String, ptsMicroseconds: Int64, keyframe: Bool, data: ByteBuffer) {
        guard let handler = home(of: streamID) else { return }
        handler.eventLoop.execute {
            handler.value.ingestVideoFrame(streamID: streamID, ptsMicroseconds: ptsMicroseconds, keyframe: keyframe, data: data)
        }
    }

    /// One Opus packet from a runner; one RTP packet, made on the stream's home worker (one hop per packet).
    public func ingestAudioFrame(streamID: String, ptsMicroseconds: Int64, data: ByteBuffer) {
        guard let handler = home(of: streamID) else { return }
        handler.eventLoop.execute {
            handler.value.ingestAudioFrame(streamID: streamID, ptsMicroseconds: ptsMicroseconds, data: data)
        }
    }

    public func detachSource(streamID: String) async {
        guard let handler = home(of: streamID) else { return }
        try? await handler.eventLoop.submit { handler.value.detachSource(streamID: streamID) }.get()
    }

    /// Ends a viewer or publisher (WHEP/WHIP DELETE). False when there is no such peer.
    public func removePeer(id: String) async -> Bool {
        if let ticket = directory.takePending(peerID: id) {
            eventsContinuation.yield(
                .peerClosed(streamID: ticket.identity.streamID, peerID: id, publisher: ticket.role == .publisher, reason: "removed"))
            return true
        }
        guard case .worker(let index) = directory.location(of: id) else { return false }
        let handler = workers[index]
        return (try? await handler.eventLoop.submit { handler.value.removePeer(id: id) }.get()) ?? false
    }

    /// Disconnects everyone of a stream and forgets its caches (stream stopped).
    public func closeStream(_ streamID: String) async {
        for ticket in directory.takePending(streamID: streamID) {
            eventsContinuation.yield(
                .peerClosed(streamID: streamID, peerID: ticket.id, publisher: ticket.role == .publisher, reason: "stream stopped"))
        }
        directory.forget(streamID: streamID)
        await onEveryWorker { $0.closeStream(streamID) }
    }

    public func stats() async -> SFUStats? {
        let parts = await onEveryWorker { $0.snapshot() }.compactMap { $0 }
        guard var total = parts.first else { return nil }
        for part in parts.dropFirst() { total.add(part) }
        // Answered peers whose first check has not come yet are viewers and publishers too.
        let pending = directory.pendingCounts()
        total.viewers += pending.viewers
        total.publishers += pending.publishers
        return total
    }

    /// One stream's live counters; nil when the SFU holds nothing for it. The home worker's copy
    /// has the ingress; every worker adds its viewers.
    public func streamStats(streamID: String) async -> SFUStreamStats? {
        let home = directory.existingIdentity(of: streamID)?.home ?? 0
        let parts = await onEveryWorker { $0.streamStats(streamID) }.map { $0 ?? nil }
        var total = parts.indices.contains(home) ? parts[home] : nil
        for (index, part) in parts.enumerated() where index != home {
            guard let part else { continue }
            if total == nil { total = part } else { total?.addViewers(of: part) }
        }
        // Answered viewers whose first check has not come yet: listed, not connected.
        let pending = directory.pending(streamID: streamID).filter { $0.role == .viewer }
        if !pending.isEmpty {
            if total == nil { total = SFUStreamStats(streamID: streamID, publisherConnected: false, viewerCount: 0) }
            total?.viewerCount += pending.count
            total?.viewers += pending.map { SFUStreamStats.Viewer(id: $0.id, connected: false) }
        }
        return total
    }

    /// Closes every peer (RTCP BYE, DTLS close_notify) and then the sockets.
    public func stop() async {
        await onEveryWorker { $0.closeAll(reason: "SFU stopped") }
        for channel in channels { try? await channel.close() }
        eventsContinuation.finish()
    }

    private var isStopped: Bool { !channels[0].isActive }

    /// Runs `body` on every worker's loop (control path), in worker order; nil from a stopped worker.
    private func onEveryWorker<T: Sendable>(_ body: @escaping @Sendable (SFUPacketHandler) -> T) async -> [T?] {
        var results: [T?] = []
        for worker in workers {
            results.append(try? await worker.eventLoop.submit({ body(worker.value) }).get())
        }
        return results
    }
}
