import Logging
import NIOCore
import NIOPosix

/// The SFU as the control plane sees it: one UDP socket for every peer, and async calls that add
/// or remove viewers and publishers. Each call hops once onto the socket's event loop, where the
/// packet path owns all peer state; nothing here is on the per-packet path.
public final class SFUServer: Sendable {
    public let configuration: SFUConfiguration
    public let localAddress: SocketAddress
    public let events: AsyncStream<SFUEvent>
    private let channel: any Channel
    private let handler: NIOLoopBound<SFUPacketHandler>
    private let candidates: [SDPHostCandidate]

    private init(
        configuration: SFUConfiguration, channel: any Channel, handler: NIOLoopBound<SFUPacketHandler>,
        events: AsyncStream<SFUEvent>, candidates: [SDPHostCandidate]
    ) {
        self.configuration = configuration
        self.channel = channel
        self.localAddress = channel.localAddress!
        self.handler = handler
        self.events = events
        self.candidates = candidates
    }

    /// Binds the UDP port and starts the packet path. The DTLS certificate is made here, once per process.
    public static func start(
        configuration: SFUConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "marionette.sfu")
    ) async throws -> SFUServer {
        let certificate = try DTLSCertificate()
        let context = try DTLSContext(certificate: certificate, profiles: configuration.srtpProfiles)
        let (events, continuation) = AsyncStream<SFUEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let loop = group.next()
        let channel = try await DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
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
                    let handler = SFUPacketHandler(
                        configuration: configuration, dtlsContext: context, events: continuation, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: configuration.bindHost, port: configuration.udpPort).get()
        let handler = try await channel.pipeline.handler(type: SFUPacketHandler.self).map {
            NIOLoopBound($0, eventLoop: loop)
        }.get()
        let port = channel.localAddress?.port ?? configuration.udpPort
        let hosts = configuration.publicIPs.isEmpty ? Self.interfaceAddresses(bound: configuration.bindHost) : configuration.publicIPs
        let candidates = hosts.map { host in
            SDPHostCandidate(address: host, port: UInt16(port), family: host.contains(":") ? .ipv6 : .ipv4)
        }
        logger.info("SFU listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        return SFUServer(
            configuration: configuration, channel: channel, handler: handler, events: events, candidates: candidates)
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
        try await addPeer(streamID: streamID, media: media, publisher: false, offer: offer)
    }

    /// A WHIP publisher (one per stream).
    public func addPublisher(streamID: String, media: SDPStreamMedia, offer: String) async throws(SFUError) -> (id: String, answer: String) {
        try await addPeer(streamID: streamID, media: media, publisher: true, offer: offer)
    }

    private func addPeer(streamID: String, media: SDPStreamMedia, publisher: Bool, offer: String) async throws(SFUError)
        -> (id: String, answer: String)
    {
        let handler = self.handler
        let candidates = self.candidates
        let result: Result<(id: String, answer: String), SFUError>
        do {
            result = try await channel.eventLoop.submit {
                handler.value.addPeer(streamID: streamID, media: media, publisher: publisher, offer: offer, candidates: candidates)
            }.get()
        } catch { throw .notRunning }
        return try result.get()
    }

    /// ICE restart of a peer (WHEP/WHIP PATCH, RFC 9725 §4.3): the client's new ufrag in, the
    /// trickle-ice-sdpfrag answer with our new credentials out; nil when `remoteUfrag` is the one in
    /// use (the PATCH only trickled candidates).
    public func restartICE(peerID: String, remoteUfrag: String) async throws(SFUError) -> String? {
        let handler = self.handler
        let candidates = self.candidates
        let result: Result<String?, SFUError>
        do {
            result = try await channel.eventLoop.submit {
                handler.value.restartICE(peerID: peerID, remoteUfrag: remoteUfrag, candidates: candidates)
            }.get()
        } catch { throw .notRunning }
        return try result.get()
    }

    /// A runner's media source for `streamID` (Media RPC): keyframe requests from viewers, coalesced and
    /// throttled, come back through `onKeyframeRequest`; bitrate targets (kbps) from the viewers'
    /// estimates through `onBitrateTarget`.
    public func attachSource(
        streamID: String, media: SDPStreamMedia, maxBitrateKbps: Int? = nil, onKeyframeRequest: @escaping @Sendable () -> Void,
        onBitrateTarget: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws(SFUError) {
        let handler = self.handler
        do {
            try await channel.eventLoop.submit {
                handler.value.attachSource(
                    streamID: streamID, media: media, maxBitrateKbps: maxBitrateKbps, onKeyframeRequest: onKeyframeRequest,
                    onBitrateTarget: onBitrateTarget)
            }.get()
        } catch { throw .notRunning }
    }

    /// One encoded video frame from a runner; packetized once on the SFU's loop (one hop per frame).
    public func ingestVideoFrame(streamID: String, ptsMicroseconds: Int64, keyframe: Bool, data: ByteBuffer) {
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.ingestVideoFrame(streamID: streamID, ptsMicroseconds: ptsMicroseconds, keyframe: keyframe, data: data)
        }
    }

    /// One Opus packet from a runner; one RTP packet, sent on the SFU's loop (one hop per packet).
    public func ingestAudioFrame(streamID: String, ptsMicroseconds: Int64, data: ByteBuffer) {
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.ingestAudioFrame(streamID: streamID, ptsMicroseconds: ptsMicroseconds, data: data)
        }
    }

    public func detachSource(streamID: String) async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.detachSource(streamID: streamID) }.get()
    }

    /// Ends a viewer or publisher (WHEP/WHIP DELETE). False when there is no such peer.
    public func removePeer(id: String) async -> Bool {
        let handler = self.handler
        return (try? await channel.eventLoop.submit { handler.value.removePeer(id: id) }.get()) ?? false
    }

    /// Disconnects everyone of a stream and forgets its caches (stream stopped).
    public func closeStream(_ streamID: String) async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.closeStream(streamID) }.get()
    }

    public func stats() async -> SFUStats? {
        let handler = self.handler
        return try? await channel.eventLoop.submit { handler.value.snapshot() }.get()
    }

    /// One stream's live counters; nil when the SFU holds nothing for it.
    public func streamStats(streamID: String) async -> SFUStreamStats? {
        let handler = self.handler
        return try? await channel.eventLoop.submit { handler.value.streamStats(streamID) }.get()
    }

    /// Closes every peer (RTCP BYE, DTLS close_notify) and then the socket.
    public func stop() async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.closeAll(reason: "SFU stopped") }.get()
        try? await channel.close()
    }
}
