import NIOCore

/// The client connections waiting for a runner's next standby stream (``TunnelStandbyPool``): first
/// come, first served, each for at most the same wait. Deadlines therefore grow along the queue, so
/// one timer, set for the head's deadline, expires waiters from the front. A timer and a search per
/// waiter made a burst quadratic just when the runner fell behind: hundreds of timers fired together,
/// each searching hundreds of waiters.
struct StandbyWaiterQueue<Waiter> {
    /// A timer to set: call ``expire(now:timer:)`` with its `token` at `deadline`.
    struct Timer: Equatable {
        let deadline: NIODeadline
        let token: UInt64
    }

    private var waiters = CircularBuffer<(deadline: NIODeadline, waiter: Waiter)>()
    /// The one timer that counts; a timer whose token differs is stale and does nothing.
    private var timer: Timer?
    private var tokens: UInt64 = 0

    var isEmpty: Bool { waiters.isEmpty }
    var count: Int { waiters.count }

    /// Queues `waiter` until `deadline`; returns the timer to set when none is set (the queue was
    /// empty before).
    mutating func append(_ waiter: Waiter, deadline: NIODeadline) -> Timer? {
        waiters.append((deadline, waiter))
        guard timer == nil else { return nil }
        return setTimer(for: deadline)
    }

    /// The first waiter, now served.
    mutating func popFirst() -> Waiter? {
        waiters.popFirst()?.waiter
    }

    /// The timer `token` fired at `now`: the waiters whose wait is over, oldest first, and the timer
    /// to set for the rest (nil when none wait, or the timer is stale).
    mutating func expire(now: NIODeadline, token: UInt64) -> (expired: [Waiter], next: Timer?) {
        guard timer?.token == token else { return ([], nil) }
        timer = nil
        var expired: [Waiter] = []
        while let first = waiters.first, first.deadline <= now {
            expired.append(first.waiter)
            waiters.removeFirst()
        }
        guard let head = waiters.first else { return (expired, nil) }
        return (expired, setTimer(for: head.deadline))
    }

    /// Every waiter, oldest first (their runner's data connection is gone); a timer set is now stale.
    mutating func removeAll() -> [Waiter] {
        timer = nil
        defer { waiters.removeAll() }
        return waiters.map(\.waiter)
    }

    private mutating func setTimer(for deadline: NIODeadline) -> Timer {
        tokens &+= 1
        let set = Timer(deadline: deadline, token: tokens)
        timer = set
        return set
    }
}

extension StandbyWaiterQueue: Sendable where Waiter: Sendable {}
extension StandbyWaiterQueue.Timer: Sendable {}
