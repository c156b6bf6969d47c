import Core
import Synchronization

/// What a live follower of a task receives after the store has committed it.
public enum TaskFeedEvent: Sendable {
    case logs([LogRecord])
    case status(TaskStatusChange)
}

public struct TaskStatusChange: Sendable, Encodable {
    public var taskID: String
    public var status: String
    public var runID: String?
    public var attempt: Int?
    public var timestamp: Timestamp
    public var exitCode: Int?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", status, runID = "run_id", attempt, timestamp, exitCode = "exit_code", error
    }
}

/// In-process fan-out of committed log lines and task status changes to live followers
/// (api.md §4.2). Publishing never waits for a reader: each subscription has a bounded buffer,
/// and a subscriber that overflows is cut off and told to catch up from the store.
public final class LogHub: Sendable {
    public final class Subscription: Sendable {
        public let events: AsyncStream<TaskFeedEvent>
        let continuation: AsyncStream<TaskFeedEvent>.Continuation
        private let overflow = Atomic<Bool>(false)

        init(limit: Int) {
            let (stream, continuation) = AsyncStream<TaskFeedEvent>.makeStream(bufferingPolicy: .bufferingOldest(limit))
            self.events = stream
            self.continuation = continuation
        }

        /// True when the feed ended because this reader fell behind; the store has what it missed.
        public var overflowed: Bool { overflow.load(ordering: .acquiring) }

        /// Ends this subscription (the reader is gone).
        public func cancel() { continuation.finish() }

        func deliver(_ event: TaskFeedEvent) {
            if case .dropped = continuation.yield(event) {
                overflow.store(true, ordering: .releasing)
                continuation.finish()
            }
        }
    }

    private let subscribers = Mutex<[String: [ObjectIdentifier: Subscription]]>([:])
    /// Events per subscriber before it is cut off (a batch of lines counts once).
    public let bufferLimit: Int

    public init(bufferLimit: Int = 1000) { self.bufferLimit = bufferLimit }

    public func subscribe(taskID: String) -> Subscription {
        let subscription = Subscription(limit: bufferLimit)
        let key = ObjectIdentifier(subscription)
        subscribers.withLock { $0[taskID, default: [:]][key] = subscription }
        subscription.continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { map in
                map[taskID]?[key] = nil
                if map[taskID]?.isEmpty == true { map[taskID] = nil }
            }
        }
        return subscription
    }

    public func publish(taskID: String, _ event: TaskFeedEvent) {
        let targets = subscribers.withLock { $0[taskID].map { Array($0.values) } ?? [] }
        for subscription in targets { subscription.deliver(event) }
    }

    public var subscriberCount: Int { subscribers.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
