import Synchronization

/// `tunnels.idle_timeout_seconds` for a connect WebSocket: the reader and the writer count what
/// they move, and ``expired(after:)`` returns once a whole period passed with no count. Without an
/// `IdleStateHandler` on this async path, an idle connection ends between one and two periods
/// after its last byte (the TCP and HTTP entry points end it after exactly one).
final class TunnelWebSocketIdleWatch: Sendable {
    private let moved = Atomic<Int>(0)

    func touch() { moved.add(1, ordering: .relaxed) }

    /// Returns when a period passed without ``touch()``; throws when cancelled.
    func expired(after period: Duration) async throws {
        var last = moved.load(ordering: .relaxed)
        while true {
            try await Task.sleep(for: period)
            let now = moved.load(ordering: .relaxed)
            if now == last { return }
            last = now
        }
    }
}
