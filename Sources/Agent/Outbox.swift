/// The queue of messages for the control stream (runner-protocol.md §4.4): 100 messages; when
/// full, critical messages (`task_completed`, `session_suspended`, `permission_response_ack`, …)
/// make the sender wait, others are dropped with a warning. Outlives connections, so a result
/// produced while disconnected is sent after the next `Connect`.
public actor Outbox: AgentEventSink {
    public let capacity: Int
    private var queue: [AgentEvent] = []
    private var head = 0
    private var receiver: (id: Int, continuation: CheckedContinuation<AgentEvent?, Never>)?
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var nextReceiverID = 0
    private var closed = false
    private let onDrop: @Sendable (AgentEvent) -> Void

    public init(capacity: Int = 100, onDrop: @escaping @Sendable (AgentEvent) -> Void = { _ in }) {
        self.capacity = capacity
        self.onDrop = onDrop
    }

    public var count: Int { queue.count - head }

    public func send(_ event: AgentEvent) async {
        if closed, !event.isCritical { return }
        if let receiver {
            self.receiver = nil
            receiver.continuation.resume(returning: event)
            return
        }
        while count >= capacity {
            guard event.isCritical else {
                onDrop(event)
                return
            }
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
        queue.append(event)
    }

    /// Agent shutdown: `next()` hands out what is queued, then returns nil, so the control stream's
    /// writer finishes and half-closes after the last message.
    public func close() {
        closed = true
        if let receiver {
            self.receiver = nil
            receiver.continuation.resume(returning: nil)
        }
    }

    /// Puts an event back at the front (its write failed).
    public func requeue(_ event: AgentEvent) {
        if head > 0 {
            head -= 1
            queue[head] = event
        } else {
            queue.insert(event, at: 0)
        }
    }

    /// Drops queued events matching the predicate (stale heartbeats of a previous connection).
    public func purge(where predicate: @Sendable (AgentEvent) -> Bool) {
        let kept = queue[head...].filter { !predicate($0) }
        queue = Array(kept)
        head = 0
        wakeSpaceWaiters()
    }

    /// Whether a queued (not yet handed out) event matches.
    public func contains(where predicate: @Sendable (AgentEvent) -> Bool) -> Bool {
        queue[head...].contains(where: predicate)
    }

    /// Takes every queued event without waiting (oldest first).
    public func takeQueued() -> [AgentEvent] {
        let events = Array(queue[head...])
        queue.removeAll()
        head = 0
        wakeSpaceWaiters()
        return events
    }

    /// The next event, waiting for one; nil when the calling task is cancelled.
    public func next() async -> AgentEvent? {
        if head < queue.count {
            let event = queue[head]
            head += 1
            if head > 256, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            wakeSpaceWaiters()
            return event
        }
        if Task.isCancelled || closed { return nil }
        let id = nextReceiverID
        nextReceiverID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if let previous = receiver { previous.continuation.resume(returning: nil) }
                receiver = (id, continuation)
            }
        } onCancel: {
            Task { await self.cancelReceiver(id) }
        }
    }

    private func cancelReceiver(_ id: Int) {
        guard let receiver, receiver.id == id else { return }
        self.receiver = nil
        receiver.continuation.resume(returning: nil)
    }

    private func wakeSpaceWaiters() {
        guard count < capacity, !spaceWaiters.isEmpty else { return }
        let waiters = spaceWaiters
        spaceWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
