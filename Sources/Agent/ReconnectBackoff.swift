/// The reconnect schedule of the supervisor loop (runner-protocol.md §5): initial 1 s, ×2 per
/// failed attempt, capped at 60 s, each delay jittered by ±20 % from a random number generator
/// (the system generator, which is cryptographically secure, in production), unlimited attempts,
/// reset after a successful `Connect`.
public struct ReconnectBackoff: Sendable {
    public var initial: Duration
    public var multiplier: Double
    public var maximum: Duration
    /// Fraction of the delay added or removed at random (0.2 = ±20 %).
    public var jitter: Double
    /// Number of delays handed out since the last reset.
    public private(set) var attempt: Int = 0

    public init(
        initial: Duration = .seconds(1), multiplier: Double = 2, maximum: Duration = .seconds(60),
        jitter: Double = 0.2
    ) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before jitter for the given attempt (0 = first retry).
    public func baseDelay(forAttempt attempt: Int) -> Duration {
        let initialSeconds = initial.agentSeconds
        let maximumSeconds = maximum.agentSeconds
        var seconds = initialSeconds
        var step = 0
        while step < attempt, seconds < maximumSeconds {
            seconds *= multiplier
            step += 1
        }
        return Self.duration(seconds: min(seconds, maximumSeconds))
    }

    /// The next delay (jittered) and advances the schedule.
    public mutating func nextDelay<R: RandomNumberGenerator>(using generator: inout R) -> Duration {
        let base = baseDelay(forAttempt: attempt).agentSeconds
        attempt += 1
        guard jitter > 0 else { return Self.duration(seconds: base) }
        let factor = Double.random(in: (1 - jitter)...(1 + jitter), using: &generator)
        return Self.duration(seconds: max(0, base * factor))
    }

    /// The next delay using the system's cryptographically secure generator.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// Back to the initial delay (after a successful `Connect`).
    public mutating func reset() { attempt = 0 }

    private static func duration(seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
