import NIOCore

/// Things that each wait equally long, in the order they began: the client connections waiting for
/// a runner's next standby stream (``TunnelStandbyPool``), or for the runner's stream at all
/// (``TunnelStreamBroker``). Deadlines grow along the queue, so one timer, set for the head's
/// deadline, expires them from the front. A timer per connection cost a search of the event loop's
/// timers to cancel each one, and the standby waiters' timers a search of the waiters too: a burst
/// went quadratic just as the runner fell behind.
struct DeadlineQueue<Element> {
    /// A timer to set: call ``expire(now:token:)`` with its `token` at `deadline`.
    struct Timer: Equatable {
        let deadline: NIODeadline
        let token: UInt64
    }

    private var entries = CircularBuffer<(deadline: NIODeadline, element: Element)>()
    /// The one timer that counts; a timer whose token differs is stale and does nothing.
    private var timer: Timer?
    private var tokens: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Queues `element` until `deadline`; returns the timer to set when none is set.
    mutating func append(_ element: Element, deadline: NIODeadline) -> Timer? {
        entries.append((deadline, element))
        guard timer == nil else { return nil }
        return setTimer(for: deadline)
    }

    /// The oldest element, now served.
    mutating func popFirst() -> Element? {
        entries.popFirst()?.element
    }

    /// Drops the oldest elements while `isDone` says they were dealt with elsewhere, so that a queue
    /// whose elements mostly leave in order stays short.
    mutating func removeFirst(while isDone: (Element) -> Bool) {
        while let first = entries.first, isDone(first.element) { entries.removeFirst() }
    }

    /// The timer `token` fired at `now`: the elements whose wait is over, oldest first, and the timer
    /// to set for the rest (nil when none wait, or the timer is stale).
    mutating func expire(now: NIODeadline, token: UInt64) -> (expired: [Element], next: Timer?) {
        guard timer?.token == token else { return ([], nil) }
        timer = nil
        var expired: [Element] = []
        while let first = entries.first, first.deadline <= now {
            expired.append(first.element)
            entries.removeFirst()
        }
        guard let head = entries.first else { return (expired, nil) }
        return (expired, setTimer(for: head.deadline))
    }

    /// Every element, oldest first (their runner's data connection is gone); a timer set is now stale.
    mutating func removeAll() -> [Element] {
        timer = nil
        defer { entries.removeAll() }
        return entries.map(\.element)
    }

    private mutating func setTimer(for deadline: NIODeadline) -> Timer {
        tokens &+= 1
        let set = Timer(deadline: deadline, token: tokens)
        timer = set
        return set
    }
}

extension DeadlineQueue: Sendable where Element: Sendable {}
extension DeadlineQueue.Timer: Sendable {}

extension DeadlineQueue.Timer {
    /// Runs `fire` on `loop` at this timer's deadline, and again at the deadline of each next timer
    /// it returns (what ``DeadlineQueue/expire(now:token:)`` gave it).
    func run(on loop: any EventLoop, _ fire: @escaping @Sendable (Self) -> Self?) {
        loop.scheduleTask(deadline: deadline) {
            if let next = fire(self) { next.run(on: loop, fire) }
        }
    }
}
