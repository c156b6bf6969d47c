import Core
import Testing

@testable import Orchestrator

/// The bus behind the events streams: tenant, pattern and label filters, and a full buffer that
/// drops for that subscriber only and says so once.
struct EventBusTests {
    static func event(_ type: String, tenant: String? = nil, labels: [String: String] = [:], id: String = "x") -> DomainEvent {
        DomainEvent(type: type, resourceID: id, tenantID: tenant, labels: labels, data: [:], timestamp: Timestamp(milliseconds: 0))
    }

    @Test func filtersByTenantPatternAndLabels() async throws {
        let bus = EventBus()
        let single = bus.subscribe(.init(patterns: [try EventPattern(parsing: "task")], scope: .single))
        let tenantB = bus.subscribe(.init(labels: ["team": "docs"], scope: .tenant("b")))
        let admin = bus.subscribe(.init(scope: .system))
        bus.publish(Self.event("task.created", id: "1"))
        bus.publish(Self.event("session.created", id: "2"))
        bus.publish(Self.event("task.failed", tenant: "b", labels: ["team": "docs", "x": "y"], id: "3"))
        bus.publish(Self.event("task.failed", tenant: "b", labels: ["team": "ops"], id: "4"))
        #expect(bus.subscriberCount == 3)
        func ids(_ stream: AsyncStream<EventBus.Delivery>, _ count: Int) async -> [String] {
            var result: [String] = []
            for await delivery in stream {
                if case .event(let event) = delivery { result.append(event.resourceID) }
                if result.count == count { break }
            }
            return result
        }
        #expect(await ids(single, 1) == ["1"])
        #expect(await ids(tenantB, 1) == ["3"])
        #expect(await ids(admin, 4) == ["1", "2", "3", "4"])
    }

    @Test func aFullBufferDropsForThatSubscriberAndSaysSoOnce() async throws {
        let bus = EventBus(bufferSize: 2)
        let slow = bus.subscribe(.init(scope: .system))
        for index in 0..<6 { bus.publish(Self.event("task.created", id: "\(index)")) }
        var iterator = slow.makeAsyncIterator()
        var got: [EventBus.Delivery] = []
        for _ in 0..<3 { if let next = await iterator.next() { got.append(next) } }
        // Buffer 2 plus the notice slot: the first three events were kept, then it was full.
        #expect(got.map { if case .event(let e) = $0 { e.resourceID } else { "dropped" } } == ["0", "1", "2"])
        bus.publish(Self.event("task.created", id: "6"))
        var after: [String] = []
        while after.count < 2, let next = await iterator.next() {
            let label: String = if case .event(let e) = next { e.resourceID } else { "dropped" }
            after.append(label)
        }
        #expect(after == ["dropped", "6"])
    }

    @Test func aSubscriptionEndsWhenItsReaderGoesAway() async throws {
        let bus = EventBus()
        let task = Task { for await _ in bus.subscribe(.init(scope: .system)) {} }
        while bus.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        _ = await task.value
        #expect(bus.subscriberCount == 0)
    }
}
