import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import SFU

/// The SFU's packet path over real UDP on loopback: ICE-lite, DTLS, SRTP, forwarding with per-viewer
/// rewriting, NACK → RTX from the cache, PLI coalescing up to the publisher, and the keyframe burst
/// for a late joiner.
@Suite(.serialized) struct SFULoopbackTests {
    static func start(_ configure: (inout SFUConfiguration) -> Void = { _ in }) async throws -> SFUServer {
        var configuration = SFUConfiguration()
        configuration.udpPort = 0
        configure(&configuration)
        return try await SFUServer.start(configuration: configuration)
    }

    static let media = SDPStreamMedia(video: .vp8)

    /// Publisher and viewer connected to one stream: the peers, the viewer's answer and its peer id.
    static func connectedPair(_ sfu: SFUServer, stream: String = "strm_test") async throws
        -> (TestWebRTCPeer, TestWebRTCPeer, SDPSession, viewerID: String)
    {
        let publisher = try TestWebRTCPeer()
        let published = try await sfu.addPublisher(streamID: stream, media: media, offer: publisher.offer(sending: true))
        try publisher.accept(answer: published.answer)
        _ = try await publisher.connect()
        let viewer = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(streamID: stream, media: media, offer: viewer.offer(sending: false))
        try viewer.accept(answer: viewed.answer)
        _ = try await viewer.connect()
        return (publisher, viewer, try SDPSession(parsing: viewed.answer), viewed.id)
    }

    @Test func forwardsMediaWithTheViewersNumberingAndAnswersNacksWithRTX() async throws {
        let sfu = try await Self.start()
        defer { Task { await sfu.stop() } }
        let (publisher, viewer, answer, _) = try await Self.connectedPair(sfu)
        let video = try #require(answer.media.first)
        #expect(video.attributes.contains { $0.name == "ice-lite" } || answer.attributes.contains { $0.name == "ice-lite" })
        let ssrcLine = try #require(video.attributes.first { $0.name == "ssrc" }?.value)
        let announcedSSRC = UInt32(ssrcLine.split(separator: " ")[0])!

        // Publisher sends a keyframe (3 packets) and a delta frame.
        var sent: [[UInt8]] = []
        for (index, sequence) in (UInt16(65534)...UInt16(65535)).enumerated() {
            sent.append(vp8Packet(sequence: sequence, timestamp: 1000, start: index == 0, keyframe: true, marker: false))
        }
        sent.append(vp8Packet(sequence: 0, timestamp: 1000, start: false, keyframe: true, marker: true))
        sent.append(vp8Packet(sequence: 1, timestamp: 4000, start: true, keyframe: false, marker: true))
        for packet in sent { try publisher.sendRTP(packet) }

        var received: [[UInt8]] = []
        while received.count < 4, let packet = try await viewer.receiveRTP() { received.append(packet) }
        #expect(received.count == 4)
        let headers = try received.map { bytes in try bytes.withUnsafeBytes { try RTPHeader(parsing: $0) } }
        #expect(headers.allSatisfy { $0.ssrc == announcedSSRC && $0.payloadType == 96 })
        // Sequence numbers stay consecutive across the publisher's wrap; timestamps keep their spacing.
        for pair in zip(headers, headers.dropFirst()) { #expect(pair.1.sequenceNumber == pair.0.sequenceNumber &+ 1) }
        #expect(headers[3].timestamp &- headers[0].timestamp == 3000)
        #expect(headers[2].marker && headers[3].marker && !headers[0].marker)
        // Payloads are forwarded byte for byte.
        for (packet, header) in zip(received, headers) {
            let payload = Array(packet[header.payloadRange])
            #expect(sent.contains { Array($0[12...]) == payload })
        }
        // The viewer's header carries the mid extension with the viewer's id (4).
        let midRange = try #require(received[0].withUnsafeBytes { headers[0].extensionValue(id: 4, in: $0) })
        #expect(Array(received[0][midRange]) == Array("0".utf8))

        // NACK (generic, RFC 4585) for the second packet: it comes back as RTX with the original number.
        let lost = headers[1].sequenceNumber
        var nack: [UInt8] = [0x81, 205, 0, 3, 0, 0, 0, 9]
        nack += withUnsafeBytes(of: announcedSSRC.bigEndian, Array.init)
        nack += [UInt8(lost >> 8), UInt8(lost & 0xff), 0, 0]
        try viewer.sendRTCP(nack)
        let rtx = try #require(try await viewer.receiveRTP())
        let rtxHeader = try rtx.withUnsafeBytes { try RTPHeader(parsing: $0) }
        #expect(rtxHeader.payloadType == 97)
        #expect(rtxHeader.ssrc != announcedSSRC)
        #expect(UInt16(rtx[rtxHeader.payloadOffset]) << 8 | UInt16(rtx[rtxHeader.payloadOffset + 1]) == lost)
        #expect(Array(rtx[(rtxHeader.payloadOffset + 2)..<rtxHeader.payloadRange.upperBound]) == Array(received[1][headers[1].payloadRange]))
        let stats = try #require(await sfu.stats())
        #expect(stats.counters.retransmissionsSent == 1 && stats.counters.nacksReceived == 1)
        // Every forwarded video packet went into the forward-delay histogram, the viewer's first
        // packet into the first-frame one.
        #expect(stats.forwardDelay.count >= UInt64(received.count))
        #expect(stats.forwardDelay.counts.reduce(0, +) == stats.forwardDelay.count)
        #expect(stats.firstFrame.count == 1)
        #expect(stats.forwardDelay.sumNanoseconds < stats.forwardDelay.count * 1_000_000_000)
    }

    @Test func keyframeRequestsAreCoalescedToOnePLIAndALateJoinerGetsTheCachedKeyframe() async throws {
        let sfu = try await Self.start()
        defer { Task { await sfu.stop() } }
        let (publisher, viewer, answer, _) = try await Self.connectedPair(sfu, stream: "strm_kf")
        // Drain the PLIs the joins caused: a join's request coalesced behind the other's comes up to
        // the 500 ms interval later, so the drain ends only after 700 ms without one.
        while (try await publisher.receiveMedia(timeout: .milliseconds(700))) != nil {}

        try publisher.sendRTP(vp8Packet(sequence: 10, timestamp: 9000, start: true, keyframe: true, marker: true))
        _ = try #require(try await viewer.receiveRTP())
        let ssrcLine = try #require(answer.media.first?.attributes.first { $0.name == "ssrc" }?.value)
        let viewerSSRC = UInt32(ssrcLine.split(separator: " ")[0])!

        // Three PLIs from the viewer within the throttle interval: one PLI reaches the publisher.
        // Counted over 450 ms from the send: the last upstream request (the join's) is over 500 ms
        // old by then, so the first PLI goes at once, and the other two are held for the 500 ms
        // interval (the coalesced request they become comes later, by design, and is not counted).
        try await Task.sleep(for: .milliseconds(600))
        // A request sent before the keyframe reached the SFU (a retry, on a starved machine) is over
        // 600 ms old now; it must not be counted as one of these.
        while (try await publisher.pollMedia(milliseconds: 0)) != nil {}
        var pli: [UInt8] = [0x81, 206, 0, 2, 0, 0, 0, 9]
        pli += withUnsafeBytes(of: viewerSSRC.bigEndian, Array.init)
        for _ in 0..<3 { try viewer.sendRTCP(pli) }
        let window = ContinuousClock.now + .milliseconds(450)
        var plis = 0
        while ContinuousClock.now < window,
            let received = try await publisher.receiveMedia(timeout: ContinuousClock.now.duration(to: window))
        {
            // (A read blocks up to 200 ms: what arrives after the window is not counted.)
            if case .rtcp(let bytes) = received, bytes.count >= 12, bytes[1] == 206, bytes[0] & 0x1f == 1,
                ContinuousClock.now < window
            {
                plis += 1
                #expect(Array(bytes[8..<12]) == [0, 0, 0x04, 0x57], "the PLI names the publisher's SSRC 1111")
            }
        }
        #expect(plis == 1)

        // A viewer joining now gets the cached keyframe as soon as DTLS is up.
        let late = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(streamID: "strm_kf", media: Self.media, offer: late.offer(sending: false))
        try late.accept(answer: viewed.answer)
        _ = try await late.connect()
        // From DTLS up, not from the join: the handshake's own time (over 300 ms on a loaded CI
        // machine) is not what the cache saves.
        let joined = ContinuousClock.now
        let first = try #require(try await late.receiveRTP(timeout: .seconds(1)))
        let elapsed = ContinuousClock.now - joined
        #expect(elapsed < .milliseconds(300), "first packet after \(elapsed)")
        let header = try first.withUnsafeBytes { try RTPHeader(parsing: $0) }
        #expect(first[header.payloadOffset] & 0x10 != 0 && first[header.payloadOffset + 1] & 0x01 == 0, "a keyframe start")
    }

    @Test func badOffersAndDuplicatePublishersAreRefusedWithTheirCodes() async throws {
        let sfu = try await Self.start()
        defer { Task { await sfu.stop() } }
        let peer = try TestWebRTCPeer()
        let noBundle = peer.offer(sending: false).replacingOccurrences(of: "a=group:BUNDLE 0\r\n", with: "")
        await #expect(throws: SFUError.self) { _ = try await sfu.addViewer(streamID: "s", media: Self.media, offer: noBundle) }
        do {
            _ = try await sfu.addViewer(streamID: "s", media: SDPStreamMedia(video: .vp9), offer: peer.offer(sending: false))
            Issue.record("VP9 stream accepted a VP8-only offer")
        } catch {
            guard case .unsupportedCodec = error else { Issue.record("wrong error \(error)"); return }
        }
        _ = try await sfu.addPublisher(streamID: "s", media: Self.media, offer: peer.offer(sending: true))
        await #expect(throws: SFUError.publisherExists) {
            _ = try await sfu.addPublisher(streamID: "s", media: Self.media, offer: try TestWebRTCPeer().offer(sending: true))
        }
    }

    @Test func stoppingTheSFUSaysByeToEveryPeer() async throws {
        let sfu = try await Self.start()
        let (publisher, viewer, _, _) = try await Self.connectedPair(sfu, stream: "strm_bye")
        await sfu.stop()
        for peer in [publisher, viewer] {
            var byes = 0
            while case .rtcp(let bytes)? = try await peer.pollMedia(milliseconds: 500) {
                byes += try rtcpPackets(bytes).filter { if case .bye = $0 { true } else { false } }.count
            }
            #expect(byes == 1)
        }
    }

    /// ICE restart (streaming.md §2, RFC 9725 §4.3): new server credentials for the viewer's new
    /// ufrag; media keeps flowing on the old pair until a check with the new credentials, which then
    /// replace the old ones; DTLS and SRTP survive.
    @Test func iceRestartSwapsCredentialsWithoutDroppingMedia() async throws {
        let sfu = try await Self.start()
        defer { Task { await sfu.stop() } }
        let (publisher, viewer, _, viewerID) = try await Self.connectedPair(sfu, stream: "strm_r")
        let old = try #require(viewer.server)
        let oldUfrag = viewer.ufrag

        // The viewer's ufrag in use: only a trickle, nothing to restart.
        #expect(try await sfu.restartICE(peerID: viewerID, remoteUfrag: oldUfrag) == nil)
        let newUfrag = "rs" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let fragment = try #require(try await sfu.restartICE(peerID: viewerID, remoteUfrag: newUfrag))
        let credentials = try #require(ICERestartFragment.credentials(in: fragment))
        #expect(credentials.ufrag != old.ufrag && credentials.password != old.password)
        #expect(fragment.contains("a=ice-lite") && fragment.contains("a=mid:0") && fragment.contains("typ host"))
        // A repeated PATCH of the pending restart gets the same answer.
        #expect(try await sfu.restartICE(peerID: viewerID, remoteUfrag: newUfrag) == fragment)

        // Before any check with the new credentials, media still flows on the old pair.
        try publisher.sendRTP(vp8Packet(sequence: 1, timestamp: 1, start: true, keyframe: true, marker: true))
        #expect(try await viewer.receiveRTP() != nil)

        viewer.adoptRestart(localUfrag: newUfrag, serverUfrag: credentials.ufrag, serverPassword: credentials.password)
        viewer.sendDatagram(viewer.bindingRequest(nominate: true))
        let response = try #require(await viewer.receiveSTUN(milliseconds: 2_000), "no answer to a check with the new credentials")
        #expect(response[0] == 0x01 && response[1] == 0x01, "Binding success")
        // DTLS and SRTP survived the restart.
        try publisher.sendRTP(vp8Packet(sequence: 2, timestamp: 3000, start: true, keyframe: false, marker: true))
        #expect(try await viewer.receiveRTP() != nil)
        // The old credentials are retired once the new ones were used.
        viewer.adoptRestart(localUfrag: oldUfrag, serverUfrag: old.ufrag, serverPassword: old.password)
        viewer.sendDatagram(viewer.bindingRequest(nominate: false))
        #expect(await viewer.receiveSTUN(milliseconds: 300) == nil)
        // Restart done: the new ufrag is now simply the one in use.
        #expect(try await sfu.restartICE(peerID: viewerID, remoteUfrag: newUfrag) == nil)
        await #expect(throws: SFUError.unknownPeer) { _ = try await sfu.restartICE(peerID: "view_nobody", remoteUfrag: "x") }
    }

    @Test func deletingAViewerStopsItsMediaAndFreesItsPlace() async throws {
        let sfu = try await Self.start { $0.maxViewersPerStream = 1 }
        defer { Task { await sfu.stop() } }
        let publisher = try TestWebRTCPeer()
        let published = try await sfu.addPublisher(streamID: "strm_d", media: Self.media, offer: publisher.offer(sending: true))
        try publisher.accept(answer: published.answer)
        _ = try await publisher.connect()
        let viewer = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(streamID: "strm_d", media: Self.media, offer: viewer.offer(sending: false))
        try viewer.accept(answer: viewed.answer)
        _ = try await viewer.connect()
        await #expect(throws: SFUError.atCapacity) {
            _ = try await sfu.addViewer(streamID: "strm_d", media: Self.media, offer: try TestWebRTCPeer().offer(sending: false))
        }
        #expect(await sfu.removePeer(id: viewed.id))
        // The viewer hears an RTCP BYE for the stream's SSRCs (video and its RTX) first.
        var bye: [UInt32] = []
        while bye.isEmpty, case .rtcp(let bytes)? = try await viewer.pollMedia(milliseconds: 500) {
            for case .bye(let packet) in try rtcpPackets(bytes) { bye = bytes.withUnsafeBytes { Array(packet.ssrcs(in: $0)) } }
        }
        let ssrcLine = try #require(try SDPSession(parsing: viewed.answer).media.first?.attributes.first { $0.name == "ssrc" }?.value)
        #expect(bye.count == 2 && bye.first == UInt32(ssrcLine.split(separator: " ")[0]), "BYE for \(bye)")
        #expect(!(await sfu.removePeer(id: viewed.id)))
        try publisher.sendRTP(vp8Packet(sequence: 1, timestamp: 1, start: true, keyframe: true, marker: true))
        #expect(try await viewer.receiveRTP(timeout: .milliseconds(500)) == nil)
        let again = try TestWebRTCPeer()
        _ = try await sfu.addViewer(streamID: "strm_d", media: Self.media, offer: again.offer(sending: false))
    }
}

/// Frames from a runner (the Media RPC path): packetized once, VP8 descriptors with a PictureID per
/// frame, marker on the last packet, timestamps from the capture clock; viewer PLIs come back as
/// keyframe requests through the source's callback.
@Suite(.serialized) struct SFURunnerSourceTests {
    final class Counter: Sendable {
        let value = NIOLockedValueBox(0)
    }

    @Test func runnerFramesArePacketizedOnceAndKeyframeRequestsGoUpstream() async throws {
        let sfu = try await SFULoopbackTests.start()
        defer { Task { await sfu.stop() } }
        let requests = Counter()
        try await sfu.attachSource(streamID: "strm_src", media: SFULoopbackTests.media) { requests.value.withLockedValue { $0 += 1 } }
        let viewer = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(streamID: "strm_src", media: SFULoopbackTests.media, offer: viewer.offer(sending: false))
        try viewer.accept(answer: viewed.answer)
        _ = try await viewer.connect()
        // The join asked the source for a keyframe (and, with none arriving, again each second).
        try await Task.sleep(for: .milliseconds(100))
        #expect(requests.value.withLockedValue { $0 } >= 1)

        // A 3,000-byte keyframe at pts 1 s, then a 500-byte delta frame 33,334 µs later.
        let keyframe = [UInt8](repeating: 0x00, count: 1) + (1..<3000).map { UInt8(truncatingIfNeeded: $0) }
        sfu.ingestVideoFrame(streamID: "strm_src", ptsMicroseconds: 1_000_000, keyframe: true, data: ByteBuffer(bytes: keyframe))
        sfu.ingestVideoFrame(
            streamID: "strm_src", ptsMicroseconds: 1_033_334, keyframe: false, data: ByteBuffer(bytes: [0x01] + [UInt8](repeating: 7, count: 499)))
        var packets: [[UInt8]] = []
        while packets.count < 4, let packet = try await viewer.receiveRTP() { packets.append(packet) }
        #expect(packets.count == 4)
        let headers = try packets.map { bytes in try bytes.withUnsafeBytes { try RTPHeader(parsing: $0) } }
        #expect(headers.map(\.marker) == [false, false, true, true])
        #expect(Set(headers[0...2].map(\.timestamp)).count == 1)
        #expect(headers[3].timestamp &- headers[0].timestamp == 3000)  // 33,334 µs at 90 kHz, truncated
        for pair in zip(headers, headers.dropFirst()) { #expect(pair.1.sequenceNumber == pair.0.sequenceNumber &+ 1) }
        // Reassemble the keyframe from the three payloads (4-byte descriptors), and check the PictureIDs.
        var reassembled: [UInt8] = []
        var pictureIDs: [UInt16] = []
        for (packet, header) in zip(packets, headers) {
            let payload = Array(packet[header.payloadRange])
            let descriptor = try payload.withUnsafeBytes { try VP8PayloadDescriptor(parsing: $0) }
            pictureIDs.append(try #require(descriptor.pictureID))
            if header.timestamp == headers[0].timestamp { reassembled += payload[descriptor.length...] }
        }
        #expect(reassembled == keyframe)
        #expect(pictureIDs[0] == pictureIDs[2] && pictureIDs[3] == (pictureIDs[0] + 1) & 0x7fff)
        #expect(packets.allSatisfy { $0.count <= 1200 - SRTPSession.maxTrailer })

        // The keyframe arrived, so retries stopped; viewer PLIs, coalesced, reach the source once the
        // throttle interval has passed.
        let before = requests.value.withLockedValue { $0 }
        let ssrcLine = try #require(try SDPSession(parsing: viewed.answer).media.first?.attributes.first { $0.name == "ssrc" }?.value)
        var pli: [UInt8] = [0x81, 206, 0, 2, 0, 0, 0, 9]
        pli += withUnsafeBytes(of: UInt32(ssrcLine.split(separator: " ")[0])!.bigEndian, Array.init)
        try await Task.sleep(for: .milliseconds(600))
        try viewer.sendRTCP(pli)
        try viewer.sendRTCP(pli)
        // At least one reaches the source. (How many follow depends on timing: the coalesced one after
        // 500 ms, a retry after 1 s without a keyframe; SFUKeyframeRequestThrottle's own test pins that.)
        // Polled: on a loaded machine the datagram's trip through the worker took over 200 ms.
        let deadline = ContinuousClock.now + .seconds(3)
        while requests.value.withLockedValue({ $0 }) < before + 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(requests.value.withLockedValue { $0 } >= before + 1)
    }

    /// streaming.md §3.7: the viewers' REMBs steer the runner source's encoder: the target is the
    /// 10th percentile × 0.9, clamped to [300 kbps, the stream's bitrate], at most once a second.
    @Test func viewerREMBsBecomeTheSourcesBitrateTarget() async throws {
        let sfu = try await SFULoopbackTests.start()
        defer { Task { await sfu.stop() } }
        let targets = NIOLockedValueBox<[Int]>([])
        try await sfu.attachSource(
            streamID: "strm_bw", media: SFULoopbackTests.media, maxBitrateKbps: 2_000, onKeyframeRequest: {},
            onBitrateTarget: { kbps in targets.withLockedValue { $0.append(kbps) } })
        let viewer = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(streamID: "strm_bw", media: SFULoopbackTests.media, offer: viewer.offer(sending: false))
        try viewer.accept(answer: viewed.answer)
        _ = try await viewer.connect()
        let ssrcLine = try #require(try SDPSession(parsing: viewed.answer).media.first?.attributes.first { $0.name == "ssrc" }?.value)
        let mediaSSRC = try #require(UInt32(ssrcLine.split(separator: " ")[0]))
        func remb(_ bitsPerSecond: UInt64) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 64)
            let length = try bytes.withUnsafeMutableBytes { try RTCPWriter.remb(senderSSRC: 9, bitrate: bitsPerSecond, ssrcs: [mediaSSRC], into: $0) }
            return Array(bytes[0..<length])
        }
        func waitForTarget(_ expected: Int) async throws -> Bool {
            for _ in 0..<30 {
                if targets.withLockedValue({ $0.last }) == expected { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        try viewer.sendRTCP(try remb(1_000_000))
        #expect(try await waitForTarget(900), "\(targets.withLockedValue { $0 })")
        // Below the floor: 300 kbps; above the stream's bitrate: 2,000 kbps.
        try viewer.sendRTCP(try remb(100_000))
        #expect(try await waitForTarget(300), "\(targets.withLockedValue { $0 })")
        try viewer.sendRTCP(try remb(50_000_000))
        #expect(try await waitForTarget(2_000), "\(targets.withLockedValue { $0 })")
        let stats = try #require(await sfu.streamStats(streamID: "strm_bw"))
        #expect(stats.targetBitrateKbps == 2_000)
    }
}

