import NIOCore
import Testing

@testable import SFU

@Suite struct ForwardingCacheTests {
    static func packet(_ sequence: UInt16, ts: UInt32 = 0, key: Bool = false, at ms: UInt64 = 0, size: Int = 100) -> SFUCachedPacket {
        SFUCachedPacket(
            sequenceNumber: sequence, timestamp: ts, marker: false, keyframeStart: key, arrivalNanoseconds: ms * 1_000_000,
            payload: ByteBuffer(repeating: UInt8(truncatingIfNeeded: sequence), count: size))
    }

    @Test func retransmissionCacheAnswersWithinCapacityAndAge() {
        var cache = SFURetransmissionCache(capacity: 2000, maxAgeMilliseconds: 1000)
        #expect(cache.capacity == 2048)
        for sequence in UInt16(65000)...UInt16(65535) { cache.insert(Self.packet(sequence, at: 10)) }
        for sequence in UInt16(0)..<UInt16(1000) { cache.insert(Self.packet(sequence, at: 20)) }
        let wrapped = cache.lookup(65535, now: 500_000_000)
        #expect(wrapped?.payload.readableBytes == 100)  // across the wrap
        #expect(cache.lookup(999, now: 500_000_000) != nil)
        #expect(cache.lookup(1000, now: 500_000_000) == nil)  // never sent
        #expect(cache.lookup(0, now: 1_021_000_000) == nil)  // too old
        // A slot overwritten by a newer packet does not answer for the old number.
        cache.insert(Self.packet(65000 &+ 2048, at: 30))
        #expect(cache.lookup(65000, now: 40_000_000) == nil)
    }

    @Test func keyframeCacheKeepsTheLastGroupWithinBytesAndSpan() {
        var cache = SFUKeyframeCache(maxBytes: 1000)
        cache.record(Self.packet(1))  // before any keyframe: nothing to replay
        #expect(cache.packets.isEmpty)
        cache.record(Self.packet(2, ts: 0, key: true))
        cache.record(Self.packet(3, ts: 3000))
        #expect(cache.packets.map(\.sequenceNumber) == [2, 3])
        #expect(cache.joinBurst(maxMilliseconds: 2000, clockRate: 90000).count == 2)
        cache.record(Self.packet(4, ts: 200_000))  // 2.2 s after the keyframe
        #expect(cache.joinBurst(maxMilliseconds: 2000, clockRate: 90000).isEmpty)
        cache.record(Self.packet(5, ts: 300_000, key: true))
        #expect(cache.packets.map(\.sequenceNumber) == [5])
        for sequence in UInt16(6)...UInt16(20) { cache.record(Self.packet(sequence, ts: 300_000)) }
        #expect(cache.packets.isEmpty && cache.bytes == 0, "over 1000 bytes: dropped until the next keyframe")
        cache.record(Self.packet(21, ts: 400_000))
        #expect(cache.packets.isEmpty)
        cache.record(Self.packet(22, ts: 500_000, key: true))
        #expect(cache.packets.count == 1)
    }

    @Test func keyframeRequestsAreCoalescedAndRetried() {
        var throttle = SFUKeyframeRequestThrottle(minimumIntervalMilliseconds: 500, retryMilliseconds: 1000)
        let ms: UInt64 = 1_000_000
        var sent: Bool
        sent = throttle.request(now: 0)
        #expect(sent)
        sent = throttle.request(now: 100 * ms)
        #expect(!sent)  // coalesced
        sent = throttle.request(now: 200 * ms)
        #expect(!sent)
        sent = throttle.tick(now: 400 * ms)
        #expect(!sent)
        sent = throttle.tick(now: 500 * ms)
        #expect(sent)  // the coalesced one goes out
        sent = throttle.tick(now: 600 * ms)
        #expect(!sent)
        throttle.keyframeReceived()
        sent = throttle.tick(now: 5000 * ms)
        #expect(!sent)  // answered: no retry
        sent = throttle.request(now: 6000 * ms)
        #expect(sent)
        sent = throttle.tick(now: 6900 * ms)
        #expect(!sent)
        sent = throttle.tick(now: 7000 * ms)
        #expect(sent)  // no keyframe within 1 s: ask again
    }
}

@Suite struct SFULatencyHistogramTests {
    @Test func samplesLandInTheFirstBucketWhoseBoundHoldsThem() {
        var histogram = SFULatencyHistogram()
        histogram.record(nanoseconds: 0)
        histogram.record(nanoseconds: 250_000)  // on a bound: that bucket
        histogram.record(nanoseconds: 250_001)
        histogram.record(nanoseconds: 7_000_000_000)  // past the last bound
        #expect(histogram.counts[0] == 2)
        #expect(histogram.counts[1] == 1)
        #expect(histogram.counts.last == 1)
        #expect(histogram.count == 4)
        #expect(histogram.sumNanoseconds == 7_000_500_001)
    }
}

@Suite struct ICERestartFragmentTests {
    @Test func readsTheClientsCredentialsWhereverTheyStand() {
        let session = "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
        #expect(ICERestartFragment.credentials(in: session)?.ufrag == "EsAw")
        #expect(ICERestartFragment.credentials(in: session)?.password == "P2uYro0UCOQ4zxjKXaWCBui1")
        let media = "m=audio 9 RTP/AVP 0\na=mid:0\na=ice-ufrag:x1\na=ice-pwd:y1y1y1y1y1y1y1y1y1y1y1y1\n"
        #expect(ICERestartFragment.credentials(in: media)?.ufrag == "x1")
        // Candidates alone: a trickle, not a restart.
        #expect(ICERestartFragment.credentials(in: "a=mid:0\r\na=candidate:1 1 udp 1 10.0.0.1 9 typ host\r\n") == nil)
        #expect(ICERestartFragment.credentials(in: "a=ice-ufrag:only\r\n") == nil)
    }

    @Test func answersWithLiteCredentialsAndCandidatesPerMid() {
        let text = ICERestartFragment.answer(
            credentials: ICECredentials(ufrag: "u1", password: "p1"), mids: ["0", "1"],
            candidates: [SDPHostCandidate(address: "127.0.0.1", port: 7881, family: .ipv4)])
        let lines = text.split(separator: "\r\n").map(String.init)
        #expect(lines.prefix(4) == ["a=ice-lite", "a=ice-ufrag:u1", "a=ice-pwd:p1", "a=group:BUNDLE 0 1"])
        #expect(lines.filter { $0.hasPrefix("a=candidate:") && $0.hasSuffix("127.0.0.1 7881 typ host") }.count == 2)
        #expect(lines.filter { $0 == "a=end-of-candidates" }.count == 2)
        #expect(lines.contains("a=mid:1"))
    }
}

@Suite struct SFUBitrateControllerTests {
    @Test func targetIsTheTenthPercentileTimesNineTenthsClampedAndRateLimited() {
        var controller = SFUBitrateController(minimum: 300_000, maximum: 4_000_000)
        #expect(controller.update(estimates: [], now: 0) == nil)
        // Ten viewers: the 10th percentile is the slowest one.
        let ten: [UInt64] = [2_000_000] + Array(repeating: 5_000_000, count: 9)
        #expect(controller.update(estimates: ten, now: 0) == 1_800_000)
        // Not again within a second, and not for a change under 10 %.
        #expect(controller.update(estimates: [1_000_000], now: 500_000_000) == nil)
        #expect(controller.update(estimates: [1_900_000], now: 2_000_000_000) == nil)
        #expect(controller.update(estimates: [1_000_000], now: 2_000_000_000) == 900_000)
        #expect(controller.update(estimates: [10_000], now: 3_000_000_000) == 300_000)
        #expect(controller.update(estimates: [90_000_000], now: 4_000_000_000) == 4_000_000)
        #expect(controller.target == 4_000_000)
    }

    @Test func lossBasedEstimateFallsWithLossAndRecoversSlowly() {
        var estimate = SFULossBasedEstimate(minimum: 300_000, maximum: 4_000_000)
        #expect(estimate.bitsPerSecond == 4_000_000)
        estimate.report(fractionLost: 64)  // 25 % loss: down by 12.5 %
        #expect(estimate.bitsPerSecond == 3_500_000)
        estimate.report(fractionLost: 10)  // 4 %: hold
        #expect(estimate.bitsPerSecond == 3_500_000)
        estimate.report(fractionLost: 0)  // up 8 %
        #expect(estimate.bitsPerSecond == 3_780_000)
        for _ in 0..<40 { estimate.report(fractionLost: 255) }
        #expect(estimate.bitsPerSecond == 300_000)
    }
}

@Suite struct KeyframeStartInspectorTests {
    static func h264(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { H264FrameInspector.isKeyframeStart(rtpPayload: $0) } }
    static func vp9(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { VP9FrameInspector.isKeyframeStart(rtpPayload: $0) } }

    @Test func h264KeyframesStartWithSPSOrAnIDRSlice() {
        #expect(Self.h264([0x65, 0x88, 0x84]))  // single NAL: IDR slice
        #expect(Self.h264([0x67, 0x42, 0xe0, 0x1f]))  // single NAL: SPS
        #expect(!Self.h264([0x41, 0x9a]))  // single NAL: non-IDR slice
        // STAP-A: SPS (4 bytes) + PPS (2 bytes), as Chrome sends them before the IDR.
        #expect(Self.h264([0x78, 0x00, 0x04, 0x67, 0x42, 0xe0, 0x1f, 0x00, 0x02, 0x68, 0xce]))
        #expect(!Self.h264([0x78, 0x00, 0x02, 0x68, 0xce]))  // STAP-A with a PPS only
        #expect(!Self.h264([0x78, 0x00, 0x09, 0x67]))  // STAP-A whose size runs past the packet
        // FU-A: the first fragment of an IDR slice starts a key frame, later ones and P slices do not.
        #expect(Self.h264([0x7c, 0x85, 0x88]))
        #expect(!Self.h264([0x7c, 0x05, 0x88]))
        #expect(!Self.h264([0x7c, 0x81, 0x9a]))
        #expect(!Self.h264([]) && !Self.h264([0x7c]))
    }

    @Test func vp9KeyframesAreUnpredictedFrameBeginnings() {
        #expect(Self.vp9([0x88]))  // I=1, P=0, B=1
        #expect(!Self.vp9([0xc8]))  // P=1: inter-predicted
        #expect(!Self.vp9([0x84]))  // B=0: not the first packet
        #expect(!Self.vp9([]))
    }
}
