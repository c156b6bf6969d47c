import NIOCore

/// A token bucket for a TCP tunnel's new connections (streaming.md §7.6: 100 a second): on average
/// `perSecond` a second, at most a second's worth in a burst; and the refusals, for a log line at
/// most once a second. Pure: the caller gives the time.
struct ConnectionRateLimit: Sendable {
    /// 0: no limit.
    let perSecond: Int
    private var tokens: Double
    private var last: NIODeadline?
    private var refusedSinceReport = 0
    private var lastReport = NIODeadline.distantPast

    init(perSecond: Int) {
        self.perSecond = perSecond
        tokens = Double(perSecond)
    }

    /// Whether a connection accepted at `now` may go on.
    mutating func admit(now: NIODeadline) -> Bool {
        guard perSecond > 0 else { return true }
        if let last {
            guard now > last else { return take() }
            let elapsed = Double((now - last).nanoseconds) / 1e9
            tokens = min(Double(perSecond), tokens + elapsed * Double(perSecond))
        }
        last = now
        return take()
    }

    private mutating func take() -> Bool {
        guard tokens >= 1 else {
            refusedSinceReport += 1
            return false
        }
        tokens -= 1
        return true
    }

    /// The connections refused since the last report, when there are any and a second has passed.
    mutating func refusalReport(now: NIODeadline) -> Int? {
        guard refusedSinceReport > 0, now - lastReport >= .seconds(1) else { return nil }
        defer {
            refusedSinceReport = 0
            lastReport = now
        }
        return refusedSinceReport
    }
}
