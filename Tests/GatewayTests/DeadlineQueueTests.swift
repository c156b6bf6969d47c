import NIOCore
import Testing

@testable import Gateway

/// The queue of equal waits alone: one timer for the head, expiry from the front, stale timers.
@Suite struct DeadlineQueueTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func oneTimerForTheHeadExpiresFromTheFrontAndIsSetAgainForTheRest() throws {
        var queue = DeadlineQueue<Int>()
        let set1 = queue.append(1, deadline: start + .seconds(5))
        let set2 = queue.append(2, deadline: start + .seconds(5))
        let set3 = queue.append(3, deadline: start + .seconds(6))
        let first = try #require(set1)
        #expect(first.deadline == start + .seconds(5))
        #expect(set2 == nil && set3 == nil, "a timer is already set")
        #expect(queue.count == 3)

        let fired = queue.expire(now: start + .seconds(5), token: first.token)
        #expect(fired.expired == [1, 2])
        let next = try #require(fired.next)
        #expect(next.deadline == start + .seconds(6), "set again for the new head")
        let set4 = queue.append(4, deadline: start + .seconds(7))
        #expect(set4 == nil, "still one timer")

        let last = queue.expire(now: start + .seconds(6), token: next.token)
        #expect(last.expired == [3])
        let after = try #require(last.next)
        let end = queue.expire(now: start + .seconds(8), token: after.token)
        #expect(end.expired == [4] && end.next == nil)
        #expect(queue.isEmpty)
        let set5 = queue.append(5, deadline: start + .seconds(9))
        #expect(set5 != nil, "empty and no timer: a new one")
    }

    @Test func servedWaitersLeaveTheFrontAndTheTimerMovesOn() throws {
        var queue = DeadlineQueue<Int>()
        let set1 = queue.append(1, deadline: start + .seconds(5))
        let timer = try #require(set1)
        _ = queue.append(2, deadline: start + .seconds(6))
        let served1 = queue.popFirst()
        #expect(served1 == 1)
        // The timer fires for the served head: nothing expires, and it is set for waiter 2.
        let fired = queue.expire(now: start + .seconds(5), token: timer.token)
        #expect(fired.expired.isEmpty)
        #expect(fired.next?.deadline == start + .seconds(6))
        let served2 = queue.popFirst(), none = queue.popFirst()
        #expect(served2 == 2 && none == nil)
        // Emptied with its timer still set: a new waiter is picked up by that timer's chain.
        let set3 = queue.append(3, deadline: start + .seconds(7))
        #expect(set3 == nil)
        let chained = queue.expire(now: start + .seconds(6), token: try #require(fired.next).token)
        #expect(chained.expired.isEmpty && chained.next?.deadline == start + .seconds(7))
    }

    @Test func aStaleTimerDoesNothing() throws {
        var queue = DeadlineQueue<Int>()
        let set1 = queue.append(1, deadline: start + .seconds(5))
        let old = try #require(set1)
        let orphans = queue.removeAll()
        #expect(orphans == [1], "the data connection went away")
        let set2 = queue.append(2, deadline: start + .seconds(6))
        let new = try #require(set2, "the old timer no longer counts")
        #expect(new.token != old.token)
        let stale = queue.expire(now: start + .seconds(10), token: old.token)
        #expect(stale.expired.isEmpty && stale.next == nil)
        #expect(queue.count == 1)
        let fired = queue.expire(now: start + .seconds(10), token: new.token)
        #expect(fired.expired == [2])
    }

    @Test func elementsDealtWithElsewhereLeaveTheFront() throws {
        var queue = DeadlineQueue<Int>()
        let set = queue.append(1, deadline: start + .seconds(1))
        let timer = try #require(set)
        for n in 2...4 { _ = queue.append(n, deadline: start + .seconds(Int64(n))) }
        let done: Set = [1, 2, 4]
        queue.removeFirst { done.contains($0) }
        #expect(queue.count == 2, "stops at the first not done (3); 4 waits behind it")
        let fired = queue.expire(now: start + .seconds(4), token: timer.token)
        #expect(fired.expired == [3, 4], "what is left expires as before")
        #expect(fired.next == nil && queue.isEmpty)
    }
}
