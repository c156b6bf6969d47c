import Core
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import SFU

/// `sfu.workers` (streaming.md §3.10) over real UDP on loopback: two event loops with a socket each
/// on one port (`SO_REUSEPORT`). Which socket a peer's 5-tuple reaches is the kernel's hash of its
/// source port, so the tests connect peers until the case they need has happened.
@Suite(.serialized) struct SFUWorkerLoopbackTests {
    static let media = SDPStreamMedia(video: .vp8)

    static func start() async throws -> (SFUServer, MultiThreadedEventLoopGroup) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var configuration = SFUConfiguration()
        configuration.udpPort = 0
        configuration.workers = 2
        return (try await SFUServer.start(configuration: configuration, group: group), group)
    }

    static func stop(_ sfu: SFUServer, _ group: MultiThreadedEventLoopGroup) async {
        await sfu.stop()
        try? await group.shutdownGracefully()
    }

    static func connectViewer(_ sfu: SFUServer, stream: String) async throws -> (peer: TestWebRTCPeer, id: String, worker: Int) {
        let viewer = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(streamID: stream, media: media, offer: viewer.offer(sending: false))
        try viewer.accept(answer: viewed.answer)
        _ = try await viewer.connect()
        guard case .worker(let worker) = sfu.directory.location(of: viewed.id) else {
            throw TestPeerError("viewer \(viewed.id) was not claimed by a worker")
        }
        return (viewer, viewed.id, worker)
    }

    /// Viewers until each worker serves at least one (each new source port is a new hash).
    static func viewersOnBothWorkers(_ sfu: SFUServer, stream: String) async throws -> [(peer: TestWebRTCPeer, id: String, worker: Int)] {
        var viewers: [(peer: TestWebRTCPeer, id: String, worker: Int)] = []
        while viewers.count < 24, Set(viewers.map(\.worker)).count < 2 || viewers.count < 3 {
            viewers.append(try await connectViewer(sfu, stream: stream))
        }
        return viewers
    }

    @Test func viewersOnEitherWorkerGetEveryPacketTheirNacksAnsweredAndALateJoinerTheKeyframe() async throws {
        let (sfu, group) = try await Self.start()
        #expect(sfu.workerCount == 2)
        let publisher = try TestWebRTCPeer()
        let published = try await sfu.addPublisher(streamID: "strm_w", media: Self.media, offer: publisher.offer(sending: true))
        try publisher.accept(answer: published.answer)
        _ = try await publisher.connect()
        let home = try #require(sfu.directory.existingIdentity(of: "strm_w")?.home)
        #expect(sfu.directory.location(of: published.id) == .worker(home), "a publisher lives on its stream's home worker")
        let viewers = try await Self.viewersOnBothWorkers(sfu, stream: "strm_w")
        try #require(Set(viewers.map(\.worker)) == [0, 1], "24 viewers all hashed to one socket")

        // A keyframe in three packets and a delta frame: every viewer, on either worker, gets all four.
        var sent: [[UInt8]] = []
        for sequence in UInt16(100)...UInt16(102) {
            sent.append(vp8Packet(sequence: sequence, timestamp: 9000, start: sequence == 100, keyframe: true, marker: sequence == 102))
        }
        sent.append(vp8Packet(sequence: 103, timestamp: 12000, start: true, keyframe: false, marker: true))
        for packet in sent { try publisher.sendRTP(packet) }
        var firstPackets: [(viewer: Int, header: RTPHeader, packet: [UInt8])] = []
        for (index, viewer) in viewers.enumerated() {
            var received: [[UInt8]] = []
            while received.count < 4, let packet = try await viewer.peer.receiveRTP() { received.append(packet) }
            #expect(received.count == 4, "viewer \(index) on worker \(viewer.worker) got \(received.count) packets")
            guard received.count == 4 else { continue }
            let headers = try received.map { bytes in try bytes.withUnsafeBytes { try RTPHeader(parsing: $0) } }
            for (packet, header) in zip(received, headers) {
                #expect(sent.contains { Array($0[12...]) == Array(packet[header.payloadRange]) })
            }
            for pair in zip(headers, headers.dropFirst()) { #expect(pair.1.sequenceNumber == pair.0.sequenceNumber &+ 1) }
            firstPackets.append((index, headers[1], received[1]))
        }
        // One sender for everyone: the same SSRC on both workers.
        #expect(Set(firstPackets.map(\.header.ssrc)).count == 1)

        // A NACK from a viewer on the worker that is not the home one: RTX from that worker's cache copy.
        let remote = try #require(firstPackets.first { viewers[$0.viewer].worker != home })
        let lost = remote.header.sequenceNumber
        var nack: [UInt8] = [0x81, 205, 0, 3, 0, 0, 0, 9]
        nack += withUnsafeBytes(of: remote.header.ssrc.bigEndian, Array.init)
        nack += [UInt8(lost >> 8), UInt8(lost & 0xff), 0, 0]
        try viewers[remote.viewer].peer.sendRTCP(nack)
        let rtx = try #require(try await viewers[remote.viewer].peer.receiveRTP())
        let rtxHeader = try rtx.withUnsafeBytes { try RTPHeader(parsing: $0) }
        #expect(rtxHeader.payloadType == 97)
        #expect(Array(rtx[(rtxHeader.payloadOffset + 2)..<rtxHeader.payloadRange.upperBound]) == Array(remote.packet[remote.header.payloadRange]))

        // Late joiners on both workers get the cached keyframe as soon as DTLS is up.
        var lateWorkers: Set<Int> = []
        var late: [TestWebRTCPeer] = []
        while lateWorkers.count < 2, late.count < 24 {
            let joiner = try await Self.connectViewer(sfu, stream: "strm_w")
            late.append(joiner.peer)
            lateWorkers.insert(joiner.worker)
            let first = try #require(try await joiner.peer.receiveRTP(timeout: .seconds(1)), "late joiner on worker \(joiner.worker)")
            let header = try first.withUnsafeBytes { try RTPHeader(parsing: $0) }
            #expect(first[header.payloadOffset] & 0x10 != 0 && first[header.payloadOffset + 1] & 0x01 == 0, "a keyframe start")
        }
        #expect(lateWorkers == [0, 1])

        // The server's numbers add up both workers.
        let stats = try #require(await sfu.stats())
        #expect(stats.viewers == viewers.count + late.count)
        #expect(stats.publishers == 1)
        #expect(stats.counters.retransmissionsSent == 1)
        let stream = try #require(await sfu.streamStats(streamID: "strm_w"))
        #expect(stream.viewerCount == viewers.count + late.count)
        #expect(stream.viewers.count == viewers.count + late.count)
        #expect(stream.packetsIn == 4)
        #expect(stream.out.packetsSent >= UInt64(4 * viewers.count + late.count))
        #expect(stream.publisherConnected)
        await Self.stop(sfu, group)
    }

    /// A publisher whose checks reach the worker that is not its stream's home: that worker hands
    /// its datagrams over, and the home's answers (here a PLI) reach the publisher from the same port.
    @Test func aPublisherReachingTheOtherWorkerIsServedByItsStreamsHome() async throws {
        let (sfu, group) = try await Self.start()
        var handedOver: (stream: String, publisher: TestWebRTCPeer)?
        var publishers: [TestWebRTCPeer] = []
        for index in 0..<24 where handedOver == nil {
            let stream = "strm_p\(index)"
            let publisher = try TestWebRTCPeer()
            publishers.append(publisher)
            let published = try await sfu.addPublisher(streamID: stream, media: Self.media, offer: publisher.offer(sending: true))
            try publisher.accept(answer: published.answer)
            _ = try await publisher.connect()
            if let stats = await sfu.stats(), stats.counters.forwardedToWorkers > 0 { handedOver = (stream, publisher) }
        }
        let (stream, publisher) = try #require(handedOver, "24 publishers all hashed to their streams' home sockets")
        let viewer = try await Self.connectViewer(sfu, stream: stream)
        while (try await publisher.receiveMedia(timeout: .milliseconds(300))) != nil {}  // the joins' PLIs

        try publisher.sendRTP(vp8Packet(sequence: 7, timestamp: 3000, start: true, keyframe: true, marker: true))
        let forwarded = try #require(try await viewer.peer.receiveRTP())
        let header = try forwarded.withUnsafeBytes { try RTPHeader(parsing: $0) }
        var pli: [UInt8] = [0x81, 206, 0, 2, 0, 0, 0, 9]
        pli += withUnsafeBytes(of: header.ssrc.bigEndian, Array.init)
        try await Task.sleep(for: .milliseconds(600))  // past the keyframe throttle's interval
        try viewer.peer.sendRTCP(pli)
        var gotPLI = false
        let deadline = ContinuousClock.now + .seconds(2)
        while !gotPLI, ContinuousClock.now < deadline, let received = try await publisher.receiveMedia(timeout: .milliseconds(500)) {
            if case .rtcp(let bytes) = received, bytes.count >= 12, bytes[1] == 206, bytes[0] & 0x1f == 1 { gotPLI = true }
        }
        #expect(gotPLI)
        #expect(try #require(await sfu.streamStats(streamID: stream)).packetsIn == 1)
        await Self.stop(sfu, group)
    }

    /// A runner source's frames reach viewers on both workers, and a keyframe request from a viewer
    /// on the other worker reaches the source through the home.
    @Test func runnerFramesReachViewersOnBothWorkersAndTheirKeyframeRequestsTheSource() async throws {
        let (sfu, group) = try await Self.start()
        let requests = NIOLockedValueBox(0)
        try await sfu.attachSource(streamID: "strm_rs", media: Self.media) { requests.withLockedValue { $0 += 1 } }
        let home = try #require(sfu.directory.existingIdentity(of: "strm_rs")?.home)
        let viewers = try await Self.viewersOnBothWorkers(sfu, stream: "strm_rs")
        try #require(Set(viewers.map(\.worker)) == [0, 1])
        let keyframe = [UInt8](repeating: 0x00, count: 1) + (1..<3000).map { UInt8(truncatingIfNeeded: $0) }
        sfu.ingestVideoFrame(streamID: "strm_rs", ptsMicroseconds: 1_000_000, keyframe: true, data: ByteBuffer(bytes: keyframe))
        for viewer in viewers {
            var packets = 0
            while packets < 3, try await viewer.peer.receiveRTP() != nil { packets += 1 }
            #expect(packets == 3, "viewer on worker \(viewer.worker)")
        }
        let remote = try #require(viewers.first { $0.worker != home })
        try await Task.sleep(for: .milliseconds(600))
        let before = requests.withLockedValue { $0 }
        let ssrc = try #require(sfu.directory.existingIdentity(of: "strm_rs")?.videoSSRC)
        var pli: [UInt8] = [0x81, 206, 0, 2, 0, 0, 0, 9]
        pli += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
        try remote.peer.sendRTCP(pli)
        let deadline = ContinuousClock.now + .seconds(2)
        while requests.withLockedValue({ $0 }) == before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(requests.withLockedValue { $0 } > before)
        await Self.stop(sfu, group)
    }

    /// The workers' group holds its port alone: a socket of the same user that shares the port
    /// (here one with `SO_REUSEPORT`, as another process's or another SFU's could) would take a
    /// hash share of the peers' datagrams. A configured port it holds fails the start; port 0 is
    /// never one such a socket holds (the kernel's own port-0 search for a `SO_REUSEPORT` socket
    /// once put two SFUs of the test process in one group).
    @Test func theWorkersPortIsNotSharedWithAnyOtherSocket() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let reusing = DatagramBootstrap(group: group)
            .channelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
        let stranger = try await reusing.bind(host: "127.0.0.1", port: 0).get()
        let taken = try #require(stranger.localAddress?.port)
        var configuration = SFUConfiguration()
        configuration.workers = 2
        configuration.udpPort = taken
        await #expect {
            _ = try await SFUServer.start(configuration: configuration, group: group)
        } throws: { error in
            guard let error = error as? IOError else { return false }
            return error.errnoCode == EADDRINUSE && "\(error)".contains("another socket shares the SFU's port")
        }
        #expect(ProcNetSockets.members(.udp, ipAddress: "127.0.0.1", port: taken) == 1, "the refused start left nothing bound")

        // Port 0 beside many reuse-flagged sockets: the group is alone on its port.
        var strangers = [stranger]
        for _ in 0..<300 { strangers.append(try await reusing.bind(host: "127.0.0.1", port: 0).get()) }
        let held = Set(strangers.compactMap { $0.localAddress?.port })
        configuration.udpPort = 0
        let sfu = try await SFUServer.start(configuration: configuration, group: group)
        let port = try #require(sfu.localAddress.port)
        #expect(!held.contains(port))
        #expect(ProcNetSockets.members(.udp, ipAddress: "127.0.0.1", port: port) == 2)
        for channel in strangers { try await channel.close() }
        await Self.stop(sfu, group)
    }
}
