import Testing

@testable import SFU

/// The per-viewer frame gate (streaming.md §3.7): whole frames only, keyframes end an episode, one
/// keyframe request per episode, and the viewer's numbering stays contiguous with NACKs mapped back.
@Suite struct SFUViewerFrameGateTests {
    /// One packet as the track produced it.
    struct Packet {
        var sequence: UInt16
        var timestamp: UInt32
        var marker: Bool
        var key: Bool
    }

    /// Frames of `sizes[i]` packets from `firstSequence`, 3,000 ticks apart; `keyframes` are their indices.
    static func frames(_ sizes: [Int], keyframes: Set<Int>, firstSequence: UInt16 = 1000, firstTimestamp: UInt32 = 90_000) -> [[Packet]] {
        var sequence = firstSequence
        return sizes.enumerated().map { index, size in
            (0..<size).map { packetIndex in
                defer { sequence &+= 1 }
                return Packet(
                    sequence: sequence, timestamp: firstTimestamp &+ UInt32(index) * 3000, marker: packetIndex == size - 1,
                    key: keyframes.contains(index) && packetIndex == 0)
            }
        }
    }

    static func admit(_ gate: inout SFUViewerFrameGate, _ packet: Packet, queueFull: Bool = false) -> SFUViewerFrameGate.Decision {
        gate.admit(
            sequenceNumber: packet.sequence, timestamp: packet.timestamp, marker: packet.marker, keyframeStart: packet.key,
            egressQueueFull: queueFull)
    }

    static func congested() -> SFUViewerFrameGate {
        var gate = SFUViewerFrameGate()
        congest(&gate)
        return gate
    }

    /// Under the target for the whole hold: congested from here.
    static func congest(_ gate: inout SFUViewerFrameGate, at start: UInt64 = 1_000) {
        gate.updateDownlink(estimateBitsPerSecond: 200_000, targetBitsPerSecond: 300_000, now: start)
        gate.updateDownlink(
            estimateBitsPerSecond: 200_000, targetBitsPerSecond: 300_000, now: start + SFUViewerFrameGate.congestionHoldNanoseconds)
    }

    static func forwarded(_ decision: SFUViewerFrameGate.Decision) -> UInt16? {
        if case .forward(let sequence) = decision { return sequence }
        return nil
    }

    @Test func anUncongestedViewerGetsEveryPacketWithTheCachesNumbers() {
        var gate = SFUViewerFrameGate()
        gate.updateDownlink(estimateBitsPerSecond: 5_000_000, targetBitsPerSecond: 2_000_000, now: 0)
        for packet in Self.frames([3, 2, 2, 1, 2], keyframes: [0], firstSequence: 65533).joined() {
            #expect(Self.admit(&gate, packet) == .forward(sequenceNumber: packet.sequence))
        }
        #expect(gate.framesDropped == 0 && gate.packetsDropped == 0)
        #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: 65534) == 65534)
    }

    @Test func congestionDropsWholeDeltaFramesUntilAKeyframeWithOneRequestPerEpisode() {
        // Frames: K0(3) D1(2) D2(2) D3(1) K4(3) D5(2) K6(2) D7(2)
        let frames = Self.frames([3, 2, 2, 1, 3, 2, 2, 2], keyframes: [0, 4, 6])
        var gate = SFUViewerFrameGate()
        var decisions: [[SFUViewerFrameGate.Decision]] = []
        for (index, frame) in frames.enumerated() {
            var frameDecisions: [SFUViewerFrameGate.Decision] = []
            for (packetIndex, packet) in frame.enumerated() {
                // Congestion starts in the middle of the first frame and ends in the middle of D5.
                if index == 0 && packetIndex == 1 { Self.congest(&gate) }
                if index == 5 && packetIndex == 1 { gate.updateDownlink(estimateBitsPerSecond: 400_000, targetBitsPerSecond: 300_000, now: 2_000_000_000) }
                frameDecisions.append(Self.admit(&gate, packet))
            }
            decisions.append(frameDecisions)
        }
        let sent = decisions.map { $0.map { Self.forwarded($0) != nil } }
        // K0 was under way: finished. D1–D3 dropped whole; K4 sent; still congested: D5 dropped whole
        // (congestion ended in its middle, but it is a delta after a drop); K6 sent; D7 sent (clear).
        #expect(
            sent == [
                [true, true, true], [false, false], [false, false], [false], [true, true, true], [false, false], [true, true],
                [true, true],
            ])
        let requests = decisions.joined().filter {
            if case .drop(_, _, let request) = $0 { request } else { false }
        }
        #expect(requests.count == 2, "one request for D1's episode, one for D5's")
        if case .drop(let cause, let frameStart, let request) = decisions[1][0] {
            #expect(cause == .downlink && frameStart && request)
        } else {
            Issue.record("D1 not dropped")
        }
        #expect(decisions[1][1] == .drop(cause: .downlink, frameStart: false, requestKeyframe: false))
        #expect(gate.framesDropped == 4 && gate.packetsDropped == 7)
        // What the viewer got is numbered without holes.
        let numbers = decisions.joined().compactMap(Self.forwarded)
        #expect(numbers == (0..<UInt16(numbers.count)).map { 1000 + $0 })
    }

    @Test func aFullSendQueueGatesDeltasUntilTheNextKeyframe() {
        let frames = Self.frames([2, 2, 2, 2], keyframes: [0, 3])
        var gate = SFUViewerFrameGate()
        var decisions: [SFUViewerFrameGate.Decision] = []
        for (index, frame) in frames.enumerated() {
            // Only while D1 starts is the queue full; D2 is still dropped (it depends on D1).
            for packet in frame { decisions.append(Self.admit(&gate, packet, queueFull: index == 1)) }
        }
        #expect(decisions.map { Self.forwarded($0) != nil } == [true, true, false, false, false, false, true, true])
        #expect(decisions[2] == .drop(cause: .egressQueue, frameStart: true, requestKeyframe: true))
        #expect(decisions[4] == .drop(cause: .egressQueue, frameStart: true, requestKeyframe: false))
        #expect(decisions.compactMap(Self.forwarded) == [1000, 1001, 1002, 1003])
    }

    @Test func aLostMarkerStillEndsTheFrameAtTheNextTimestamp() {
        var gate = Self.congested()
        var frames = Self.frames([2, 2, 2], keyframes: [0])
        frames[1][1].marker = false  // D1's marker lost upstream; D2 starts with a new timestamp
        frames[1].remove(at: 1)
        let decisions = frames.joined().map { Self.admit(&gate, $0) }
        #expect(decisions.map { Self.forwarded($0) != nil } == [true, true, false, false, false])
        #expect(gate.framesDropped == 2)
    }

    @Test func aKeyframeNotFlaggedOnItsFirstPacketIsSentFromItsStart() {
        // An H.264 access unit opening with an AUD: the SPS packet after it carries the keyframe flag.
        var gate = Self.congested()
        var frames = Self.frames([1, 2, 3, 2], keyframes: [0])
        frames[2][1].key = true
        let decisions = frames.joined().map { Self.admit(&gate, $0) }
        #expect(decisions.map { Self.forwarded($0) != nil } == [true, false, false, false, true, true, false, false])
        #expect(decisions.compactMap(Self.forwarded) == [1000, 1001, 1002])
    }

    @Test func nacksMapTheViewersNumbersBackToTheCacheAcrossDropsAndTheWrap() {
        // K0(2) D1(3) D2(2) K3(2) D4(2) K5(3) from 65530: the viewer gets K0, K3, K5 as 65530…65536.
        let frames = Self.frames([2, 3, 2, 2, 2, 3], keyframes: [0, 3, 5], firstSequence: 65530)
        var gate = Self.congested()
        var sent: [(viewer: UInt16, cache: UInt16)] = []
        for packet in frames.joined() {
            if let viewer = Self.forwarded(Self.admit(&gate, packet)) { sent.append((viewer, packet.sequence)) }
        }
        #expect(sent.map(\.viewer) == [65530, 65531, 65532, 65533, 65534, 65535, 0])
        #expect(sent.map(\.cache) == [65530, 65531, 1, 2, 5, 6, 7])
        for (viewer, cache) in sent { #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: viewer) == cache) }
        // Numbers the viewer was never given map to nothing.
        #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: 1) == nil)
        #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: 40_000) == nil)
    }

    @Test func latePacketsShareTheFateOfTheirRun() {
        // K0 = 1000,1001(lost: late),1002; D1 = 1003,1004 dropped; K2 = 1005,1006.
        var gate = Self.congested()
        let frames = Self.frames([3, 2, 2], keyframes: [0, 2])
        let all = Array(frames.joined())
        var decisions: [UInt16: SFUViewerFrameGate.Decision] = [:]
        for packet in all where packet.sequence != 1001 && packet.sequence != 1004 {
            decisions[packet.sequence] = Self.admit(&gate, packet)
        }
        // The late keyframe packet is sent with the number it would have had; the late delta is dropped.
        #expect(Self.admit(&gate, all[1]) == .forward(sequenceNumber: 1001))
        #expect(Self.forwarded(Self.admit(&gate, all[4])) == nil)
        #expect(decisions[1005] == .forward(sequenceNumber: 1003))
        #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: 1001) == 1001)
        #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: 1003) == 1005)
    }

    @Test func downlinkCongestionNeedsTheHoldHasHysteresisAndNeedsATarget() {
        let hold = SFUViewerFrameGate.congestionHoldNanoseconds
        var gate = SFUViewerFrameGate()
        gate.updateDownlink(estimateBitsPerSecond: 1_000_000, targetBitsPerSecond: nil, now: 0)
        #expect(!gate.downlinkCongested)
        // The viewer that set the target (target = 0.9 × its estimate) is not congested.
        gate.updateDownlink(estimateBitsPerSecond: 1_000_000, targetBitsPerSecond: 900_000, now: 0)
        #expect(!gate.downlinkCongested)
        // A dip shorter than the hold is left to NACKs.
        gate.updateDownlink(estimateBitsPerSecond: 850_000, targetBitsPerSecond: 900_000, now: 1_000)
        gate.updateDownlink(estimateBitsPerSecond: 850_000, targetBitsPerSecond: 900_000, now: 1_000 + hold - 1)
        #expect(!gate.downlinkCongested, "under the target for less than the hold")
        gate.updateDownlink(estimateBitsPerSecond: 1_000_000, targetBitsPerSecond: 900_000, now: 1_000 + hold)
        gate.updateDownlink(estimateBitsPerSecond: 899_000, targetBitsPerSecond: 900_000, now: 2 * hold)
        #expect(!gate.downlinkCongested, "back above it restarts the hold")
        gate.updateDownlink(estimateBitsPerSecond: 899_000, targetBitsPerSecond: 900_000, now: 3 * hold)
        #expect(gate.downlinkCongested)
        gate.updateDownlink(estimateBitsPerSecond: 920_000, targetBitsPerSecond: 900_000, now: 4 * hold)
        #expect(gate.downlinkCongested, "back at the target is not enough")
        gate.updateDownlink(estimateBitsPerSecond: 945_000, targetBitsPerSecond: 900_000, now: 5 * hold)
        #expect(!gate.downlinkCongested, "5 % above it clears")
        gate.updateDownlink(estimateBitsPerSecond: 100_000, targetBitsPerSecond: 900_000, now: 6 * hold)
        gate.updateDownlink(estimateBitsPerSecond: 100_000, targetBitsPerSecond: 900_000, now: 7 * hold)
        #expect(gate.downlinkCongested)
        gate.updateDownlink(estimateBitsPerSecond: nil, targetBitsPerSecond: 900_000, now: 8 * hold)
        #expect(!gate.downlinkCongested, "no estimate: nothing to go by")
        gate.updateDownlink(estimateBitsPerSecond: 100_000, targetBitsPerSecond: 900_000, now: 8 * hold + 1)
        #expect(!gate.downlinkCongested, "and the hold starts again")
    }

    @Test func manyEpisodesKeepTheNumberingExactBeyondTheRunHistory() throws {
        // 40 episodes of K(2) D(3) D(1): far more runs than the ring keeps.
        var sizes: [Int] = []
        var keyframes: Set<Int> = []
        for episode in 0..<40 {
            keyframes.insert(episode * 3)
            sizes += [2, 3, 1]
        }
        var gate = Self.congested()
        var viewerNumbers: [UInt16] = []
        var last: (viewer: UInt16, cache: UInt16)?
        for packet in Self.frames(sizes, keyframes: keyframes, firstSequence: 60_000).joined() {
            if let viewer = Self.forwarded(Self.admit(&gate, packet)) {
                viewerNumbers.append(viewer)
                last = (viewer, packet.sequence)
            }
        }
        #expect(viewerNumbers.count == 80)
        #expect(viewerNumbers == (0..<UInt16(80)).map { 60_000 &+ $0 })
        #expect(gate.framesDropped == 80 && gate.packetsDropped == 160)
        let (viewer, cache) = try #require(last)
        #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: viewer) == cache)
        // Beyond the runs kept: unknown, so not answered.
        #expect(gate.cacheSequenceNumber(forViewerSequenceNumber: 60_000) == nil)
    }
}
