import Core
import Synchronization

/// Fans committed state changes out to the events streams (api.md §11) and the webhook dispatcher.
/// `publish` never waits: each subscriber has a buffer of `bufferSize` events (64 per the spec);
/// when it is full the event is dropped for that subscriber, which is told so once
/// (`.dropped`) before its next event.
public final class EventBus: Sendable {
    public enum Delivery: Sendable, Equatable {
        case event(DomainEvent)
        /// Events were dropped for this subscriber (its buffer was full).
        case dropped
    }

    public struct Filter: Sendable {
        public var patterns: [EventPattern]
        public var labels: [String: String]
        /// Whose events: `.system` every tenant's (admin), `.single` the single-tenant rows,
        /// `.tenant(id)` one tenant's.
        public var scope: TenantScope

        public init(patterns: [EventPattern] = [], labels: [String: String] = [:], scope: TenantScope) {
            self.patterns = patterns
            self.labels = labels
            self.scope = scope
        }

        func admits(_ event: DomainEvent) -> Bool {
            let tenant: Bool
            switch scope {
            case .system: tenant = true
            case .single: tenant = event.tenantID == nil
            case .tenant(let id): tenant = event.tenantID == id
            }
            return tenant && EventPattern.any(patterns, match: event.type) && event.hasLabels(labels)
        }
    }

    private struct Subscriber {
        let filter: Filter
        let continuation: AsyncStream<Delivery>.Continuation
        var overflowed = false
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)
    private let bufferSize: Int

    public init(bufferSize: Int = 64) {
        self.bufferSize = bufferSize
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    /// A stream of the events `filter` admits, from now on; it ends when the caller stops iterating
    /// (the subscription is removed on termination). `unbounded`: nothing is ever dropped (the
    /// webhook dispatcher, which writes each event to the store at once).
    public func subscribe(_ filter: Filter, unbounded: Bool = false) -> AsyncStream<Delivery> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        // One slot more than the buffer for the `.dropped` notice.
        let (stream, continuation) = AsyncStream<Delivery>.makeStream(
            bufferingPolicy: unbounded ? .unbounded : .bufferingOldest(bufferSize + 1))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = Subscriber(filter: filter, continuation: continuation) }
        return stream
    }

    public func publish(_ event: DomainEvent) {
        subscribers.withLock { subscribers in
            for (id, subscriber) in subscribers where subscriber.filter.admits(event) {
                if subscriber.overflowed {
                    // Tell it first; while even that does not fit, keep dropping.
                    guard case .enqueued = subscriber.continuation.yield(.dropped) else { continue }
                    subscribers[id]?.overflowed = false
                }
                if case .dropped = subscriber.continuation.yield(.event(event)) { subscribers[id]?.overflowed = true }
            }
        }
    }
}
