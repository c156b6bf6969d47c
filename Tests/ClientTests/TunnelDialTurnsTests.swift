import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Client

/// `mctl tunnels connect` dials its WebSockets one after another, in accept order.
@Suite struct TunnelDialTurnsTests {
    final class Log: Sendable {
        private let items = Mutex<[Int]>([])
        func append(_ item: Int) { items.withLock { $0.append(item) } }
        var all: [Int] { items.withLock { $0 } }
    }

    @Test func eachTurnWaitsForTheOneBefore() async throws {
        let turns = TunnelDialTurns()
        let (first, second, third) = (turns.next(), turns.next(), turns.next())
        let order = Log()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Started in reverse: only the turns make the order.
            group.addTask {
                await third.wait()
                order.append(3)
                third.finish()
            }
            group.addTask {
                await second.wait()
                order.append(2)
                second.finish()
                second.finish()  // harmless
            }
            try await Task.sleep(for: .milliseconds(50))
            #expect(order.all.isEmpty, "nothing goes before the first turn ends")
            await first.wait()  // the first waits for nobody
            order.append(1)
            first.finish()
            try await group.waitForAll()
        }
        #expect(order.all == [1, 2, 3])
    }

    /// Turns given at accept follow the accept order whatever order the connections are served in;
    /// a connection closed before it was served does not hold up the ones after it.
    @Test func turnsGivenAtAcceptFollowTheAcceptOrder() async throws {
        let turns = TunnelDialTurns()
        let listener = EmbeddedChannel(handler: TunnelDialTurns.AcceptOrder(turns))
        let (first, second, third) = (EmbeddedChannel(), EmbeddedChannel(), EmbeddedChannel())
        for accepted in [first, second, third] { try listener.writeInbound(accepted as any Channel) }
        // Served out of order: the third, then the second; the first never.
        let (thirdTurn, secondTurn) = (turns.turn(for: third), turns.turn(for: second))
        let order = Log()
        let b = Task {
            await thirdTurn.wait()
            order.append(3)
            thirdTurn.finish()
        }
        let a = Task {
            await secondTurn.wait()
            order.append(2)
            secondTurn.finish()
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(order.all.isEmpty, "both wait for the first connection's turn")
        try await first.close()
        first.embeddedEventLoop.run()  // completes its close future
        await a.value
        await b.value
        #expect(order.all == [2, 3])
        // A connection never seen at accept takes the next turn: after the third.
        await turns.turn(for: EmbeddedChannel()).wait()
    }

    @Test func aCancelledWaitReturns() async {
        let turns = TunnelDialTurns()
        _ = turns.next()  // never finished
        let stuck = turns.next()
        let waiter = Task { await stuck.wait() }
        waiter.cancel()
        await waiter.value
    }
}
