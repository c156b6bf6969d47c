import NIOCore

/// Values kept for a fixed lifetime from when they were stored, at most `capacity` of them (past
/// that the table starts over: it holds lookups worth repeating, not a working set to manage).
struct ExpiringTable<Key: Hashable, Value> {
    let lifetime: TimeAmount
    let capacity: Int
    private var entries: [Key: (value: Value, until: NIODeadline)] = [:]

    init(lifetime: TimeAmount, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// The value stored for `key` less than `lifetime` before `now`.
    mutating func value(_ key: Key, now: NIODeadline) -> Value? {
        guard let entry = entries[key] else { return nil }
        guard entry.until > now else {
            entries[key] = nil
            return nil
        }
        return entry.value
    }

    mutating func keep(_ value: Value, for key: Key, now: NIODeadline) {
        if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
        entries[key] = (value, now + lifetime)
    }

    mutating func remove(_ key: Key) {
        entries[key] = nil
    }

    mutating func removeAll(where shouldRemove: (Value) -> Bool) {
        entries = entries.filter { !shouldRemove($0.value.value) }
    }
}

extension ExpiringTable: Sendable where Key: Sendable, Value: Sendable {}
