import NIOCore
import Testing

@testable import Gateway

/// The table behind the HTTP ingress's one-second tunnel lookups.
@Suite struct ExpiringTableTests {
    @Test func valuesLiveForTheirLifetimeFromWhenTheyWereKept() {
        var table = ExpiringTable<String, Int>(lifetime: .seconds(1), capacity: 10)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(table.value("a", now: start) == nil)
        table.keep(1, for: "a", now: start)
        #expect(table.value("a", now: start + .milliseconds(999)) == 1)
        #expect(table.value("a", now: start + .seconds(1)) == nil, "expired at exactly its lifetime")
        #expect(table.count == 0, "an expired entry is dropped when looked up")
        table.keep(2, for: "a", now: start + .seconds(5))
        #expect(table.value("a", now: start + .seconds(5) + .milliseconds(500)) == 2, "keeping again restarts the lifetime")
    }

    @Test func removalByValueAndStartingOverPastCapacity() {
        var table = ExpiringTable<String, String>(lifetime: .seconds(1), capacity: 3)
        let now = NIODeadline.uptimeNanoseconds(1)
        table.keep("tun_1", for: "id", now: now)
        table.keep("tun_1", for: "label", now: now)
        table.keep("tun_2", for: "other", now: now)
        table.removeAll { $0 == "tun_1" }
        #expect(table.value("id", now: now) == nil && table.value("label", now: now) == nil)
        #expect(table.value("other", now: now) == "tun_2")
        table.keep("tun_3", for: "third", now: now)
        table.keep("tun_4", for: "fourth", now: now)
        #expect(table.count == 3)
        table.keep("tun_3b", for: "third", now: now)
        #expect(table.count == 3, "replacing a key never starts over")
        table.keep("tun_5", for: "fifth", now: now)
        #expect(table.count == 1 && table.value("fifth", now: now) == "tun_5", "a new key past capacity starts over")
    }
}
