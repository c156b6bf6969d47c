import Testing

@testable import Agent

/// Deterministic generator for jitter tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ReconnectBackoffTests {
    @Test func baseScheduleDoublesUpToTheCap() {
        let backoff = ReconnectBackoff()
        let seconds = (0..<9).map { backoff.baseDelay(forAttempt: $0).agentSeconds }
        #expect(seconds == [1, 2, 4, 8, 16, 32, 60, 60, 60])
    }

    @Test func jitterStaysWithinTwentyPercent() {
        var backoff = ReconnectBackoff()
        var generator = SplitMix64(state: 42)
        var sawBelow = false
        var sawAbove = false
        for attempt in 0..<200 {
            let base = backoff.baseDelay(forAttempt: attempt).agentSeconds
            let delay = backoff.nextDelay(using: &generator).agentSeconds
            #expect(delay >= base * 0.8 - 1e-9 && delay <= base * 1.2 + 1e-9)
            if delay < base { sawBelow = true }
            if delay > base { sawAbove = true }
        }
        #expect(sawBelow && sawAbove)
        #expect(backoff.attempt == 200)
    }

    @Test func resetStartsOver() {
        var backoff = ReconnectBackoff(jitter: 0)
        var generator = SplitMix64(state: 1)
        _ = backoff.nextDelay(using: &generator)
        _ = backoff.nextDelay(using: &generator)
        #expect(backoff.nextDelay(using: &generator) == .seconds(4))
        backoff.reset()
        #expect(backoff.nextDelay(using: &generator) == .seconds(1))
    }

    @Test func systemGeneratorWorks() {
        var backoff = ReconnectBackoff()
        let delay = backoff.nextDelay().agentSeconds
        #expect(delay >= 0.8 && delay <= 1.2)
    }
}
