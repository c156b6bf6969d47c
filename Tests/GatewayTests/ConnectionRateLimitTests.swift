import NIOCore
import Testing

@testable import Gateway

/// The token bucket behind a TCP tunnel's new connections a second.
@Suite struct ConnectionRateLimitTests {
    /// How many of `count` connections at `now` are admitted.
    static func admitted(_ count: Int, _ limit: inout ConnectionRateLimit, at now: NIODeadline) -> Int {
        var admitted = 0
        for _ in 0..<count where limit.admit(now: now) { admitted += 1 }
        return admitted
    }

    @Test func aSecondsWorthAtOnceThenTheRate() {
        var limit = ConnectionRateLimit(perSecond: 100)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(Self.admitted(150, &limit, at: start) == 100, "the burst is a second's worth")
        // 10 ms refill one.
        #expect(Self.admitted(5, &limit, at: start + .milliseconds(10)) == 1)
        // A quiet spell fills the bucket again, not beyond.
        #expect(Self.admitted(150, &limit, at: start + .seconds(5)) == 100)
    }

    @Test func zeroMeansNoLimit() {
        var limit = ConnectionRateLimit(perSecond: 0)
        #expect(Self.admitted(10_000, &limit, at: .uptimeNanoseconds(1)) == 10_000)
    }

    @Test func timeGoingBackwardsRefillsNothing() {
        var limit = ConnectionRateLimit(perSecond: 1)
        let now = NIODeadline.uptimeNanoseconds(5_000_000_000)
        #expect(Self.admitted(1, &limit, at: now) == 1)
        #expect(Self.admitted(1, &limit, at: now - .seconds(3)) == 0)
        #expect(Self.admitted(1, &limit, at: now) == 0)
    }

    /// Refusals are reported for the log at most once a second, each counted once.
    @Test func refusalsAreReportedOnceASecond() {
        var limit = ConnectionRateLimit(perSecond: 1)
        let start = NIODeadline.uptimeNanoseconds(10_000_000_000)
        #expect(limit.refusalReport(now: start) == nil, "nothing refused yet")
        #expect(Self.admitted(6, &limit, at: start) == 1)
        #expect(limit.refusalReport(now: start) == 5)
        #expect(Self.admitted(3, &limit, at: start + .milliseconds(100)) == 0)
        #expect(limit.refusalReport(now: start + .milliseconds(500)) == nil, "within the second")
        #expect(limit.refusalReport(now: start + .milliseconds(1000)) == 3)
        #expect(limit.refusalReport(now: start + .seconds(3)) == nil, "none since")
    }
}
