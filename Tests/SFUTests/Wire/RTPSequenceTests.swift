import Testing
@testable import SFU

@Suite struct RTPSequenceTests {
    @Test func unwrapsForwardAcrossWrap() {
        var u = RTPSequenceUnwrapper()
        #expect([65534, 65535, 0, 1, 2].map { u.unwrap($0) } == [65534, 65535, 65536, 65537, 65538])
        #expect(u.highest == 65538)
    }

    @Test func handlesReorderingAroundWrap() {
        var u = RTPSequenceUnwrapper()
        #expect(u.unwrap(65535) == 65535)
        #expect(u.unwrap(1) == 65537)
        #expect(u.unwrap(65534) == 65534)  // late packet from before the wrap
        #expect(u.unwrap(0) == 65536)
        #expect(u.highest == 65537)
        #expect(u.unwrap(2) == 65538)
    }

    @Test func backwardsFromStartGoesNegative() {
        var u = RTPSequenceUnwrapper()
        #expect(u.unwrap(0) == 0)
        #expect(u.unwrap(65535) == -1)
        #expect(u.unwrap(1) == 1)
    }

    @Test func manyWrapsAndHalfRangeJumps() {
        var u = RTPSequenceUnwrapper()
        var expected: Int64 = 100
        var seq: UInt16 = 100
        _ = u.unwrap(seq)
        for _ in 0..<20 {  // 20 jumps of 32767 = ~10 wraps
            seq &+= 32767
            expected += 32767
            #expect(u.unwrap(seq) == expected)
        }
        #expect(RTPSequenceUnwrapper.isNewer(1, than: 65535))
        #expect(!RTPSequenceUnwrapper.isNewer(65535, than: 1))
        #expect(!RTPSequenceUnwrapper.isNewer(5, than: 5))
        #expect(RTPSequenceUnwrapper.isNewer(0x7FFF, than: 0))
        #expect(!RTPSequenceUnwrapper.isNewer(0x8000, than: 0))
    }

    @Test func offsetTranslatorContinuesAcrossSourceSwitch() {
        var t = RTPOffsetTranslator()
        #expect(t.translate(sequenceNumber: 65534, timestamp: 4_294_967_000) == (65534, 4_294_967_000))
        #expect(t.translate(sequenceNumber: 65535, timestamp: 4_294_967_000) == (65535, 4_294_967_000))
        #expect(t.translate(sequenceNumber: 65533, timestamp: 4_294_966_000) == (65533, 4_294_966_000))  // late
        #expect(t.lastSequenceNumber == 65535)
        // Publisher restarts with random initial values.
        t.switchSource(firstSequenceNumber: 1000, firstTimestamp: 5000, timestampGap: 3000)
        let first = t.translate(sequenceNumber: 1000, timestamp: 5000)
        #expect(first.sequenceNumber == 0)  // 65535 + 1 wraps
        #expect(first.timestamp == 4_294_967_000 &+ 3000)  // wraps mod 2^32
        #expect(first.timestamp == 2704)
        let second = t.translate(sequenceNumber: 1001, timestamp: 8000)
        #expect(second == (1, 5704))
        #expect(t.sequenceOffset == 0 &- 1000)
        // Switching before anything was sent keeps pass-through.
        var fresh = RTPOffsetTranslator()
        fresh.switchSource(firstSequenceNumber: 9, firstTimestamp: 9, timestampGap: 1)
        #expect(fresh.translate(sequenceNumber: 9, timestamp: 9) == (9, 9))
    }
}
