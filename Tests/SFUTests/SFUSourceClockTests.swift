import Testing

@testable import SFU

/// The source-clock estimate behind sender reports: least-delayed sample, sliding window, restart.
@Suite struct SFUSourceClockTests {
    static let ms: UInt64 = 1_000_000

    @Test func keepsTheLeastDelayedSampleAndIgnoresJitter() {
        var clock = SFUSourceClock()
        #expect(clock.offset == nil && clock.sourceNanoseconds(atLocal: 5) == nil)
        // Frames captured every 33 ms at source time 1 s + n·33 ms arrive 5…25 ms later at local 100 s + ….
        let delays: [UInt64] = [20, 5, 25, 12, 9, 18]
        for (n, delay) in delays.enumerated() {
            let source = Int64(1_000 + n * 33) * 1_000_000
            clock.observe(sourceNanoseconds: source, localNanoseconds: (100_000 + UInt64(n) * 33 + delay) * Self.ms)
        }
        #expect(clock.offset == Int64(99_000 + 5) * 1_000_000)
        // Source time at any later local instant follows the least delayed frame.
        #expect(clock.sourceNanoseconds(atLocal: 101_005 * Self.ms) == Int64(2_000_000_000))
    }

    @Test func followsDriftThroughTheWindowAndRestartsWhenTheSourceGoesBack() {
        var clock = SFUSourceClock(windowNanoseconds: 10_000 * Self.ms)
        clock.observe(sourceNanoseconds: 0, localNanoseconds: 1_000 * Self.ms)  // offset 1,000 ms
        // The source clock then runs 50 ms slow for good: the old minimum holds for up to two windows.
        for second in 1...25 {
            clock.observe(sourceNanoseconds: Int64(second) * 1_000_000_000, localNanoseconds: (1_050 + UInt64(second) * 1000) * Self.ms)
            if second < 10 { #expect(clock.offset == Int64(1_000_000_000)) }
        }
        #expect(clock.offset == Int64(1_050_000_000))
        // A restarted source (pts from zero again) is a new clock.
        clock.observe(sourceNanoseconds: 0, localNanoseconds: 90_000 * Self.ms)
        #expect(clock.offset == Int64(90_000_000_000))
        clock.reset()
        #expect(clock.offset == nil)
    }

    /// A first sample delayed 55 ms by a busy machine, then an undelayed one: the estimate moves at
    /// once, what sender reports use moves 20 ms per second, so two reports a second apart never
    /// disagree about the RTP/NTP mapping by more than that.
    @Test func reportedOffsetSlewsTowardsABetterSample() {
        var clock = SFUSourceClock()
        clock.observe(sourceNanoseconds: 0, localNanoseconds: 1_055 * Self.ms)  // arrived 55 ms late
        #expect(clock.reportedSourceNanoseconds(atLocal: 1_100 * Self.ms) == Int64(45 * Self.ms))
        clock.observe(sourceNanoseconds: Int64(100 * Self.ms), localNanoseconds: 1_100 * Self.ms)  // on time
        #expect(clock.offset == Int64(1_000 * Self.ms))
        // One second later the reported offset has moved 20 ms of the 55.
        #expect(clock.reportedSourceNanoseconds(atLocal: 2_100 * Self.ms) == Int64((1_045 + 20) * Self.ms))
        #expect(clock.reportedSourceNanoseconds(atLocal: 3_100 * Self.ms) == Int64((2_045 + 40) * Self.ms))
        // Then it has caught up, and stays with the estimate.
        #expect(clock.reportedSourceNanoseconds(atLocal: 4_100 * Self.ms) == Int64(3_100 * Self.ms))
        #expect(clock.reportedSourceNanoseconds(atLocal: 5_100 * Self.ms) == Int64(4_100 * Self.ms))
        // A restarted source starts over at once.
        clock.reset()
        clock.observe(sourceNanoseconds: 0, localNanoseconds: 9_000 * Self.ms)
        #expect(clock.reportedSourceNanoseconds(atLocal: 9_010 * Self.ms) == Int64(10 * Self.ms))
    }
}

