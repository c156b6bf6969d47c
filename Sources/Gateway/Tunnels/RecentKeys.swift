import NIOCore

/// The keys used within the last `window`, most recent first, at most `limit` of them: what a
/// cache refreshes ahead of the next use.
struct RecentKeys<Key: Hashable> {
    let window: TimeAmount
    let limit: Int
    private var lastUse: [Key: NIODeadline] = [:]

    init(window: TimeAmount, limit: Int) {
        self.window = window
        self.limit = limit
    }

    var count: Int { lastUse.count }

    mutating func use(_ key: Key, now: NIODeadline) {
        lastUse[key] = now
    }

    mutating func remove(_ key: Key) {
        lastUse[key] = nil
    }

    /// The keys used less than `window` before `now` (older ones are dropped), most recent first,
    /// cut at `limit`.
    mutating func keys(now: NIODeadline) -> [Key] {
        lastUse = lastUse.filter { now - $0.value < window }
        return lastUse.sorted { $0.value > $1.value }.prefix(limit).map(\.key)
    }
}

extension RecentKeys: Sendable where Key: Sendable {}
