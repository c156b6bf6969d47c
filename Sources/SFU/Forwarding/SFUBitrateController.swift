/// The one encoding a stream has serves every viewer (streaming.md §3.7): its target is the 10th
/// percentile of the viewers' downlink estimates × 0.9, clamped to [minimum, maximum], sent at most
/// once a second and only when it moved by 10 % or more. Pure: the caller passes the estimates and
/// a monotonic time.
struct SFUBitrateController: Sendable {
    let minimum: UInt64
    let maximum: UInt64
    /// The target last handed out (bits/s), and when.
    private(set) var target: UInt64?
    private var sentAt: UInt64?

    init(minimum: UInt64, maximum: UInt64) {
        self.minimum = min(minimum, maximum)
        self.maximum = maximum
    }

    /// The target these estimates call for right now, before the once-a-second and 10 % rules.
    func proposal(estimates: [UInt64]) -> UInt64? {
        guard !estimates.isEmpty else { return nil }
        let sorted = estimates.sorted()
        let percentile10 = sorted[(sorted.count - 1) / 10]
        return Swift.min(Swift.max(percentile10 / 10 * 9, minimum), maximum)
    }

    /// The new target to send now, or nil (no estimates yet, too soon, or a change under 10 %).
    mutating func update(estimates: [UInt64], now: UInt64) -> UInt64? {
        if let sentAt, now &- sentAt < 1_000_000_000 { return nil }
        guard let proposed = proposal(estimates: estimates) else { return nil }
        if let target {
            let change = proposed > target ? proposed - target : target - proposed
            guard change * 10 >= target else { return nil }
        }
        target = proposed
        sentAt = now
        return proposed
    }
}

/// A viewer's downlink estimate when it sends no REMB: from the loss fraction of its receiver
/// reports, as loss-based controllers do (over 10 % loss: down by half the loss; under 2 %: up 8 %).
struct SFULossBasedEstimate: Sendable {
    private(set) var bitsPerSecond: UInt64
    let minimum: UInt64
    let maximum: UInt64

    init(minimum: UInt64, maximum: UInt64) {
        self.minimum = minimum
        self.maximum = maximum
        self.bitsPerSecond = maximum
    }

    /// One receiver report's loss fraction (0…255 of 256).
    mutating func report(fractionLost: UInt8) {
        if fractionLost > 25 {
            bitsPerSecond -= bitsPerSecond * UInt64(fractionLost) / 512
        } else if fractionLost < 5 {
            bitsPerSecond += bitsPerSecond * 8 / 100
        }
        bitsPerSecond = Swift.min(Swift.max(bitsPerSecond, minimum), maximum)
    }
}
