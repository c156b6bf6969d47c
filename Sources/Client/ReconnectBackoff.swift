/// Exponential reconnect delays: 1 s doubling to 30 s, each with ±20 % jitter.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: Double
    public var maximum: Double
    public var jitter: Double
    private var current: Double

    public init(initial: Double = 1, maximum: Double = 30, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self.current = initial
    }

    /// The next delay in seconds. `random` in [-1, 1] picks the jitter
    /// (pass `Double.random(in: -1...1)`).
    public mutating func nextDelay(random: Double) -> Double {
        let base = current
        current = min(current * 2, maximum)
        let clamped = max(-1, min(1, random))
        return max(0, base * (1 + jitter * clamped))
    }

    /// Back to the initial delay (after a successful connection).
    public mutating func reset() { current = initial }
}
