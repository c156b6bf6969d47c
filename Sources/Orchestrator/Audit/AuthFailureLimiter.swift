/// Decides which failed authentications reach the audit log (auth-security.md §14: `auth.failed`,
/// rate-limited): the first failure of a client address in a window is logged, later ones in the
/// same window are only counted and reported with the address's next logged failure. Someone who
/// guesses keys in a loop costs one row per window, not one per guess. Pure state; the caller
/// supplies the time.
public struct AuthFailureLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        /// Log this failure.
        public var record: Bool
        /// Failures of the same address that were not logged since its last logged one.
        public var suppressed: Int

        public init(record: Bool, suppressed: Int) {
            self.record = record
            self.suppressed = suppressed
        }
    }

    private struct Entry {
        var windowStart: Int64
        var suppressed: Int
    }

    public let windowMilliseconds: Int64
    /// Addresses remembered at most; past that the oldest windows are forgotten first (their
    /// counts are lost, which only shortens a suppression).
    public let capacity: Int
    private var entries: [String: Entry] = [:]

    public init(windowSeconds: Int64 = 60, capacity: Int = 10_000) {
        self.windowMilliseconds = windowSeconds * 1000
        self.capacity = capacity
    }

    public var trackedAddresses: Int { entries.count }

    public mutating func failure(from address: String, at milliseconds: Int64) -> Decision {
        if var entry = entries[address], milliseconds - entry.windowStart < windowMilliseconds {
            entry.suppressed += 1
            entries[address] = entry
            return Decision(record: false, suppressed: entry.suppressed)
        }
        let suppressed = entries[address]?.suppressed ?? 0
        entries[address] = Entry(windowStart: milliseconds, suppressed: 0)
        if entries.count > capacity { evict(before: milliseconds) }
        return Decision(record: true, suppressed: suppressed)
    }

    /// Drops windows that ended; if every window is still open, the oldest half.
    private mutating func evict(before now: Int64) {
        entries = entries.filter { now - $0.value.windowStart < windowMilliseconds }
        guard entries.count > capacity else { return }
        let oldest = entries.sorted { $0.value.windowStart < $1.value.windowStart }.prefix(entries.count / 2)
        for (address, _) in oldest { entries.removeValue(forKey: address) }
    }
}
