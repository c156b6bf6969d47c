import Testing

@testable import SFU

/// Frame dropping for a viewer that cannot keep up (streaming.md §3.7), over real ICE, DTLS and
/// SRTP: a WHIP publisher, one viewer reporting a REMB far below the stream's floor and one far
/// above it. The slow viewer gets whole keyframes only, numbered without holes, and every audio
/// packet; the fast one gets everything; a NACK in the slow viewer's numbering is answered with the
/// right packet.
@Suite(.serialized) struct SFUFrameGateLoopbackTests {
    static let media = SDPStreamMedia(video: .vp8, audio: .opus)

    struct Tally {
        var video: [[UInt8]] = []
        var audio: [[UInt8]] = []
    }

    /// RTP on the viewer's video and audio SSRCs until 500 ms pass without any.
    static func drain(_ viewer: TestWebRTCPeer, video: UInt32, audio: UInt32) async throws -> Tally {
        var tally = Tally()
        while let received = try await viewer.pollMedia(milliseconds: 500) {
            guard case .rtp(let bytes) = received else { continue }
            let header = try bytes.withUnsafeBytes { try RTPHeader(parsing: $0) }
            if header.ssrc == video { tally.video.append(bytes) } else if header.ssrc == audio { tally.audio.append(bytes) }
        }
        return tally
    }

    @Test func aSlowViewerGetsWholeKeyframesWithContiguousNumbersAndTheFastOneEverything() async throws {
        for attempt in 1...3 where try await Self.scenario(lastAttempt: attempt == 3) { return }
    }

    /// One run with its own SFU and peers; false when the slow viewer got delta frames or its congestion
    /// ended during the frames and another run is allowed (see below), true when everything was checked.
    static func scenario(lastAttempt: Bool) async throws -> Bool {
        // NACKs are answered after both viewers drained (over 1 s): keep the cache's packets longer.
        let sfu = try await SFULoopbackTests.start { $0.nackMaxAgeMillisecondsVideo = 10_000 }
        defer { Task { await sfu.stop() } }
        let stream = "strm_gate"
        let publisher = try TestWebRTCPeer()
        let published = try await sfu.addPublisher(
            streamID: stream, media: Self.media, offer: publisher.offer(sending: true, audio: true))
        try publisher.accept(answer: published.answer)
        _ = try await publisher.connect()
        var viewers: [(peer: TestWebRTCPeer, id: String, video: UInt32, audio: UInt32)] = []
        for _ in 0..<3 {
            let viewer = try TestWebRTCPeer()
            let viewed = try await sfu.addViewer(streamID: stream, media: Self.media, offer: viewer.offer(sending: false, audio: true))
            try viewer.accept(answer: viewed.answer)
            _ = try await viewer.connect()
            let answer = try SDPSession(parsing: viewed.answer)
            func ssrc(_ index: Int) throws -> UInt32 {
                let line = try #require(answer.media[index].attributes.first { $0.name == "ssrc" }?.value)
                return try #require(UInt32(line.split(separator: " ")[0]))
            }
            viewers.append((viewer, viewed.id, try ssrc(0), try ssrc(1)))
        }
        // quiet: as low an estimate as slow's but no loss, like a viewer of an app-limited stream.
        let (slow, fast, quiet) = (viewers[0], viewers[1], viewers[2])
        func remb(_ bitsPerSecond: UInt64, video: UInt32) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 64)
            let length = try bytes.withUnsafeMutableBytes { try RTCPWriter.remb(senderSSRC: 9, bitrate: bitsPerSecond, ssrcs: [video], into: $0) }
            return Array(bytes[0..<length])
        }
        // The slow viewer also loses packets: a low estimate alone is not congestion.
        func lossyReport(video: UInt32) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 64)
            let block = RTCPReportBlock(
                ssrc: video, fractionLost: 64, cumulativeLost: 10, highestSequenceNumber: 0, jitter: 0, lastSenderReport: 0,
                delaySinceLastSenderReport: 0)
            let length = try bytes.withUnsafeMutableBytes { try RTCPWriter.receiverReport(ssrc: 9, reportBlocks: [block], into: $0) }
            return Array(bytes[0..<length])
        }
        // 100 kbps and 50 Mbps: the target is the floor, 300 kbps (0.9 × the 10th percentile, clamped),
        // which the slow viewer is below. REMBs are repeated so none goes stale while the target settles.
        var settled = false
        for _ in 0..<50 {
            try slow.peer.sendRTCP(try lossyReport(video: slow.video))
            try slow.peer.sendRTCP(try remb(100_000, video: slow.video))
            try quiet.peer.sendRTCP(try remb(100_000, video: quiet.video))
            try fast.peer.sendRTCP(try remb(50_000_000, video: fast.video))
            if await sfu.streamStats(streamID: stream)?.targetBitrateKbps == 300 {
                settled = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(settled, "the target did not reach 300 kbps")
        // The slow viewer counts as congested once under the target for the gate's hold, which starts
        // when its worker's timer sees the REMB, the loss and the stream's bar together: a loaded
        // machine delays each (a fixed 1.5 s wait once let 12 delta frames through), so wait for the
        // gate's own state, as the stream stats report it.
        func congestion() async throws -> (slow: Bool, fast: Bool, quiet: Bool) {
            let viewers = try #require(await sfu.streamStats(streamID: stream)).viewers
            func congested(_ id: String) -> Bool { viewers.first { $0.id == id }?.congested == true }
            return (congested(slow.id), congested(fast.id), congested(quiet.id))
        }
        let gateDeadline = ContinuousClock.now + .seconds(20)
        while try await !congestion().slow, ContinuousClock.now < gateDeadline {
            try slow.peer.sendRTCP(try lossyReport(video: slow.video))
            try slow.peer.sendRTCP(try remb(100_000, video: slow.video))
            try quiet.peer.sendRTCP(try remb(100_000, video: quiet.video))
            try fast.peer.sendRTCP(try remb(50_000_000, video: fast.video))
            try await Task.sleep(for: .milliseconds(100))
        }
        let before = try await congestion()
        // On failure, the state the gate decides from: the target and each viewer's reports.
        let state = await sfu.streamStats(streamID: stream).map { stats in
            "target \(stats.targetBitrateKbps.map(String.init) ?? "none") kbps; "
                + stats.viewers.map {
                    "\($0.id == slow.id ? "slow" : $0.id == fast.id ? "fast" : "quiet"): connected \($0.connected), "
                        + "reports \($0.receiverReportsReceived), fraction lost \($0.fractionLost), congested \($0.congested)"
                }.joined(separator: "; ")
        }
        try #require(before.slow, "the slow viewer's gate did not count it congested within 20 s: \(state ?? "no stats")")
        #expect(!before.fast && !before.quiet)

        // 30 frames (keyframes at 0, 10, 20: 3 packets; deltas: 2) and one Opus packet per frame.
        var sentVideo: [(packet: [UInt8], frame: Int)] = []
        var sequence: UInt16 = 5000
        for frame in 0..<30 {
            // Real viewers repeat their REMB about once a second; on a loaded machine this loop can
            // take longer than the SFU keeps a REMB (5 s), and a stale one would end the episode.
            if frame % 5 == 0 {
                try slow.peer.sendRTCP(try lossyReport(video: slow.video))
                try slow.peer.sendRTCP(try remb(100_000, video: slow.video))
                try fast.peer.sendRTCP(try remb(50_000_000, video: fast.video))
            }
            let keyframe = frame % 10 == 0
            let count = keyframe ? 3 : 2
            for index in 0..<count {
                let packet = vp8Packet(
                    sequence: sequence, timestamp: 1000 &+ UInt32(frame) * 3000, start: index == 0, keyframe: keyframe,
                    marker: index == count - 1, size: keyframe ? 600 : 300)
                sequence &+= 1
                try publisher.sendRTP(packet)
                sentVideo.append((packet, frame))
            }
            var opus: [UInt8] = [0x80, 111, UInt8(frame >> 8 & 0xff), UInt8(frame & 0xff)]
            opus += withUnsafeBytes(of: (500_000 &+ UInt32(frame) * 960).bigEndian, Array.init)
            opus += withUnsafeBytes(of: UInt32(3333).bigEndian, Array.init) + [UInt8](repeating: 0xF8, count: 80)
            try publisher.sendRTP(opus)
            try await Task.sleep(for: .milliseconds(2))
        }

        // Still congested after the last frame (had it cleared in between, deltas went through). A
        // starved machine can end it meanwhile (see below: a fresh-clone CI run saw this, and then the
        // SFU left a NACK unanswered for 10 s): such a run says nothing about the gate either.
        let stillCongested = try await congestion().slow
        if !lastAttempt, !stillCongested {
            print("SFUFrameGateLoopbackTests: the slow viewer's congestion ended while the frames were sent; running again")
            return false
        }
        #expect(stillCongested, "the slow viewer's congestion ended while the frames were sent")

        let fastTally = try await Self.drain(fast.peer, video: fast.video, audio: fast.audio)
        let slowTally = try await Self.drain(slow.peer, video: slow.video, audio: slow.audio)
        let quietTally = try await Self.drain(quiet.peer, video: quiet.video, audio: quiet.audio)
        func headers(_ packets: [[UInt8]]) throws -> [RTPHeader] {
            try packets.map { bytes in try bytes.withUnsafeBytes { try RTPHeader(parsing: $0) } }
        }
        func payload(_ bytes: [UInt8], _ header: RTPHeader) -> [UInt8] { Array(bytes[header.payloadRange]) }
        func contiguous(_ headers: [RTPHeader]) -> Bool {
            zip(headers, headers.dropFirst()).allSatisfy { $0.1.sequenceNumber == $0.0.sequenceNumber &+ 1 }
        }

        // The fast viewer: every packet, in order, contiguous; all the audio.
        let fastHeaders = try headers(fastTally.video)
        #expect(fastTally.video.count == sentVideo.count)
        #expect(contiguous(fastHeaders))
        #expect(zip(fastTally.video, fastHeaders).map { payload($0, $1) } == sentVideo.map { Array($0.packet[12...]) })
        #expect(fastTally.audio.count == 30)
        // The quiet viewer loses nothing: a low estimate alone does not gate it.
        #expect(quietTally.video.count == sentVideo.count)
        #expect(contiguous(try headers(quietTally.video)))

        // The slow viewer: the three keyframes, whole and in order, and nothing else; contiguous numbers.
        let keyframePackets = sentVideo.filter { $0.frame % 10 == 0 }
        let slowHeaders = try headers(slowTally.video)
        // A machine starved for seconds (this test once took 30 s in a full parallel run) can show the
        // gate congested before and after the frames and still let a few delta frames through right
        // after a keyframe: the gate cleared and set again in between (likely after a loop stall of
        // over 5 s, when the timer finds the last REMB read too old while fresh ones wait unread in
        // the socket). Such a run says nothing about the gate: run the scenario again, at most three
        // times in all; the last run is judged as it is, so a gate that lets deltas through every
        // time still fails.
        if !lastAttempt, slowHeaders.count > keyframePackets.count {
            print("SFUFrameGateLoopbackTests: the slow viewer got \(slowHeaders.count - keyframePackets.count) delta packets; running again")
            return false
        }
        #expect(zip(slowTally.video, slowHeaders).map { payload($0, $1) } == keyframePackets.map { Array($0.packet[12...]) })
        #expect(contiguous(slowHeaders), "\(slowHeaders.map(\.sequenceNumber))")
        #expect(slowHeaders.map(\.marker) == [false, false, true, false, false, true, false, false, true])
        #expect(slowTally.audio.count == 30, "audio is never dropped")

        // A NACK for the second keyframe's middle packet, in the slow viewer's numbering, comes back
        // as RTX naming that number, with that packet's payload.
        if slowHeaders.count == 9 {  // (the checks above already failed otherwise)
            let lost = slowHeaders[4].sequenceNumber
            var nack: [UInt8] = [0x81, 205, 0, 3, 0, 0, 0, 9]
            nack += withUnsafeBytes(of: slow.video.bigEndian, Array.init)
            nack += [UInt8(lost >> 8), UInt8(lost & 0xff), 0, 0]
            // Generous, and sent twice: in a full parallel test run the SFU's loop can be starved for
            // seconds (a 2 s wait once came back empty).
            var answered: [UInt8]?
            for _ in 0..<2 where answered == nil {
                try slow.peer.sendRTCP(nack)
                answered = try await slow.peer.receiveRTP(timeout: .seconds(5))
            }
            let rtx = try #require(answered)
            let rtxHeader = try rtx.withUnsafeBytes { try RTPHeader(parsing: $0) }
            #expect(rtxHeader.payloadType == 97)
            #expect(UInt16(rtx[rtxHeader.payloadOffset]) << 8 | UInt16(rtx[rtxHeader.payloadOffset + 1]) == lost)
            let resent = Array(rtx[(rtxHeader.payloadOffset + 2)..<rtxHeader.payloadRange.upperBound])
            #expect(resent == payload(slowTally.video[4], slowHeaders[4]))
        }

        // 27 delta frames (54 packets) dropped for the slow viewer, none for the fast one.
        let stats = try #require(await sfu.streamStats(streamID: stream))
        let slowStats = try #require(stats.viewers.first { $0.id == slow.id })
        let fastStats = try #require(stats.viewers.first { $0.id == fast.id })
        #expect(slowStats.framesDropped == 27 && slowStats.packetsDropped == 54)
        #expect(fastStats.framesDropped == 0 && fastStats.packetsDropped == 0)
        #expect(stats.out.framesDropped == 27)
        let counters = try #require(await sfu.stats()).counters
        #expect(counters.framesDroppedCongestion == 27 && counters.droppedCongestion == 54)
        #expect(counters.framesDroppedQueueFull == 0)
        return true
    }
}
