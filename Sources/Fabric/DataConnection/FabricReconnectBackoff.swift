/// Exponential reconnect backoff: 1 s, ×2, capped at 60 s, each delay jittered by ±20 %, reset after a
/// successful connection (runner-protocol.md §5, §10.1).
public struct FabricReconnectBackoff: Sendable, Hashable {
    public var initialDelay: Duration
    public var multiplier: Double
    public var maximumDelay: Duration
    /// Relative jitter: a delay `d` becomes uniform in `d × [1 - jitter, 1 + jitter]`, then capped.
    public var jitter: Double
    /// Delays handed out since the last ``reset()``.
    public private(set) var attempts: Int = 0

    public init(
        initialDelay: Duration = .seconds(1),
        multiplier: Double = 2,
        maximumDelay: Duration = .seconds(60),
        jitter: Double = 0.2
    ) {
        self.initialDelay = initialDelay
        self.multiplier = max(1, multiplier)
        self.maximumDelay = maximumDelay
        self.jitter = min(max(0, jitter), 1)
    }

    /// The un-jittered delay before reconnect attempt `attempt` (0-based).
    public func baseDelay(attempt: Int) -> Duration {
        let initial = Self.seconds(self.initialDelay)
        let cap = Self.seconds(self.maximumDelay)
        var value = initial
        var step = 0
        while step < attempt, value < cap {
            value *= self.multiplier
            step += 1
        }
        return .seconds(min(value, cap))
    }

    /// The next delay, jittered with `generator`, and counts the attempt.
    public mutating func nextDelay<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let base = Self.seconds(self.baseDelay(attempt: self.attempts))
        self.attempts += 1
        let factor = self.jitter > 0 ? Double.random(in: (1 - self.jitter)...(1 + self.jitter), using: &generator) : 1
        let value = min(max(0, base * factor), Self.seconds(self.maximumDelay))
        return .seconds(value)
    }

    /// The next delay with the system random generator.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return self.nextDelay(using: &generator)
    }

    /// Starts over at ``initialDelay`` (after a successful connection).
    public mutating func reset() {
        self.attempts = 0
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
