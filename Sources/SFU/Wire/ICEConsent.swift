/// Consent freshness (RFC 7675) as seen by an ICE-lite agent.
///
/// A lite agent sends no checks of its own, so the peer's periodic authenticated Binding
/// requests are the evidence that it still wants our media: when none has arrived for
/// `timeout`, the SFU must stop sending to that address.
public struct ICEConsent: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Media may be sent.
        case alive
        /// Stop sending: the peer has not proven it still wants our traffic.
        case expired
    }

    /// How long consent lasts after the last valid check, in nanoseconds.
    public var timeoutNanoseconds: UInt64

    /// RFC 7675 §5.1 uses 30 seconds.
    public static let defaultTimeout: Duration = .seconds(30)

    public init(timeoutNanoseconds: UInt64) {
        self.timeoutNanoseconds = timeoutNanoseconds
    }

    /// Negative durations count as zero; durations too large for `UInt64` nanoseconds saturate.
    public init(timeout: Duration = ICEConsent.defaultTimeout) {
        let (seconds, attoseconds) = timeout.components
        guard seconds >= 0, attoseconds >= 0 else {
            self.init(timeoutNanoseconds: 0)
            return
        }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let fraction = UInt64(attoseconds / 1_000_000_000)
        let (sum, overflow2) = whole.addingReportingOverflow(fraction)
        self.init(timeoutNanoseconds: overflow || overflow2 ? .max : sum)
    }

    /// `lastValidCheck` and `now` are nanoseconds on the same monotonic clock. No check yet means
    /// no consent. A `now` earlier than `lastValidCheck` counts as zero elapsed time.
    public func state(lastValidCheck: UInt64?, now: UInt64) -> State {
        guard let lastValidCheck else { return .expired }
        let elapsed = now >= lastValidCheck ? now - lastValidCheck : 0
        return elapsed < timeoutNanoseconds ? .alive : .expired
    }
}
