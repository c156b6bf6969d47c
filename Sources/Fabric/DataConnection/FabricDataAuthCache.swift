import NIOCore

/// Remembers, for one connection, which (runner ID, token) pairs the authenticator accepted and until when,
/// so opening a stream normally costs no authenticator round trip. Negative results are never cached.
public struct FabricDataAuthCache: Sendable {
    public let timeToLive: TimeAmount
    public let capacity: Int
    private var entries: [Key: NIODeadline] = [:]

    private struct Key: Hashable, Sendable {
        var runnerID: String
        var token: String
    }

    public init(timeToLive: TimeAmount = .seconds(30), capacity: Int = 8) {
        self.timeToLive = timeToLive
        self.capacity = max(1, capacity)
    }

    /// Whether `runnerID` + `token` were accepted less than ``timeToLive`` before `now`.
    public func isValid(runnerID: String, token: String, now: NIODeadline) -> Bool {
        guard let expiry = self.entries[Key(runnerID: runnerID, token: token)] else { return false }
        return now < expiry
    }

    /// Records an accepted pair at `now`.
    public mutating func recordSuccess(runnerID: String, token: String, now: NIODeadline) {
        if self.entries.count >= self.capacity {
            self.entries = self.entries.filter { now < $0.value }
            if self.entries.count >= self.capacity {
                self.entries.removeAll(keepingCapacity: true)
            }
        }
        self.entries[Key(runnerID: runnerID, token: token)] = now + self.timeToLive
    }

    /// Forgets everything (e.g. when a token is revoked).
    public mutating func removeAll() {
        self.entries.removeAll()
    }

    public var count: Int { self.entries.count }
}
