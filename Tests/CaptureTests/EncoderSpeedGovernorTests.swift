import Testing

@testable import Capture

@Suite struct EncoderSpeedGovernorTests {
    /// Feeds `seconds` of 40 ticks a second (25 ms: windows end on a tick) using `share` of a core;
    /// returns the speeds it switched to.
    static func run(_ governor: inout EncoderSpeedGovernor, seconds: Int, share: Double, clock: inout (wall: Int64, cpu: Int64))
        -> [Int]
    {
        var changes: [Int] = []
        for _ in 0..<(seconds * 40) {
            clock.wall += 25_000
            clock.cpu += Int64(25_000 * share)
            if let speed = governor.observe(threadCPUMicroseconds: clock.cpu, now: clock.wall) { changes.append(speed) }
        }
        return changes
    }

    @Test func busyWindowsStepFasterUpToTheLimitAndCalmOnesStepBack() {
        var governor = EncoderSpeedGovernor()
        var clock: (wall: Int64, cpu: Int64) = (1_000_000, 0)
        #expect(governor.observe(threadCPUMicroseconds: clock.cpu, now: clock.wall) == nil)  // opens the first window
        #expect(governor.speed == 6)
        // Scrolling text at ~40 % of a core: stays at the spec's −6.
        #expect(Self.run(&governor, seconds: 5, share: 0.4, clock: &clock).isEmpty)
        // Full-screen grain at 65 %: one step per second, never past −9.
        #expect(Self.run(&governor, seconds: 6, share: 0.65, clock: &clock) == [7, 8, 9])
        #expect(governor.speed == EncoderSpeedGovernor.fastestSpeed)
        // Between the thresholds: holds.
        #expect(Self.run(&governor, seconds: 5, share: 0.45, clock: &clock).isEmpty)
        // Calm (an idle screen, 2 %): back one step per three calm seconds, down to −6.
        #expect(Self.run(&governor, seconds: 12, share: 0.02, clock: &clock) == [8, 7, 6])
        #expect(Self.run(&governor, seconds: 6, share: 0.02, clock: &clock).isEmpty)
    }

    @Test func aBusyWindowResetsTheCalmCount() {
        var governor = EncoderSpeedGovernor()
        var clock: (wall: Int64, cpu: Int64) = (0, 0)
        _ = governor.observe(threadCPUMicroseconds: 0, now: 0)
        #expect(Self.run(&governor, seconds: 1, share: 0.7, clock: &clock) == [7])
        #expect(Self.run(&governor, seconds: 2, share: 0.1, clock: &clock).isEmpty)
        #expect(Self.run(&governor, seconds: 1, share: 0.45, clock: &clock).isEmpty)  // not calm: count restarts
        #expect(Self.run(&governor, seconds: 2, share: 0.1, clock: &clock).isEmpty)
        #expect(Self.run(&governor, seconds: 1, share: 0.1, clock: &clock) == [6])
    }
}
