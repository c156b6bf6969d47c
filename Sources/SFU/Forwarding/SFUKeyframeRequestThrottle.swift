/// Coalesces keyframe requests from every viewer of a stream into at most one upstream request per
/// interval (streaming.md §3.6: 500 ms), and asks again when no keyframe arrived within the retry time
/// (1,000 ms). Pure: the caller passes monotonic nanoseconds.
public struct SFUKeyframeRequestThrottle: Sendable {
    public let minimumIntervalNanoseconds: UInt64
    public let retryNanoseconds: UInt64
    private var lastSent: UInt64?
    private var pending = false
    private var awaitingKeyframeSince: UInt64?

    public init(minimumIntervalMilliseconds: Int = 500, retryMilliseconds: Int = 1000) {
        minimumIntervalNanoseconds = UInt64(minimumIntervalMilliseconds) * 1_000_000
        retryNanoseconds = UInt64(retryMilliseconds) * 1_000_000
    }

    /// A viewer (or a join) wants a keyframe. Returns true when a request should go upstream now.
    public mutating func request(now: UInt64) -> Bool {
        if let lastSent, now &- lastSent < minimumIntervalNanoseconds {
            pending = true
            return false
        }
        send(now)
        return true
    }

    /// A keyframe arrived from the source.
    public mutating func keyframeReceived() {
        awaitingKeyframeSince = nil
        pending = false
    }

    /// Called from a timer: true when a coalesced or unanswered request must be sent now.
    public mutating func tick(now: UInt64) -> Bool {
        let intervalPassed = lastSent.map { now &- $0 >= minimumIntervalNanoseconds } ?? true
        if pending && intervalPassed {
            send(now)
            return true
        }
        if let since = awaitingKeyframeSince, now &- since >= retryNanoseconds, intervalPassed {
            send(now)
            return true
        }
        return false
    }

    private mutating func send(_ now: UInt64) {
        lastSent = now
        pending = false
        if awaitingKeyframeSince == nil { awaitingKeyframeSince = now }
        else if now &- (awaitingKeyframeSince ?? now) >= retryNanoseconds { awaitingKeyframeSince = now }
    }
}
