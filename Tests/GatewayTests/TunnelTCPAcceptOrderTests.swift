import Fabric
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Gateway

/// The accept-order pieces of TCP tunnel listeners on EmbeddedChannels: connections are handed on
/// in the order the listener read them, and each one's end reaches the work queued for it whether
/// it is set up later or closes first.
struct TunnelTCPAcceptOrderTests {
    /// An end that records nothing: the tests only pass its handle around.
    final class InertEnd: TunnelSpliceEndpoint {
        func spliceAttached(to peer: TunnelSplicePeer) {}
        func spliceReceived(_ bytes: ByteBuffer) {}
        func spliceFinished() {}
        func spliceAborted(_ reason: TunnelAbort) {}
        func splicePeerWritabilityChanged(_ writable: Bool) {}
        func spliceQueueDrained() {}
    }

    @Test func connectionsAreHandedOnInReadOrderAndPassedDownThePipeline() throws {
        let seen = Mutex<[ObjectIdentifier]>([])
        let listener = EmbeddedChannel(handler: TunnelTCPAcceptOrder { connection in
            seen.withLock { $0.append(ObjectIdentifier(connection)) }
        })
        let connections = (0..<5).map { _ in EmbeddedChannel() }
        for connection in connections { try listener.writeInbound(connection as any Channel) }
        #expect(seen.withLock { $0 } == connections.map { ObjectIdentifier($0) })
        // The acceptor after it still gets every connection, in the same order.
        for connection in connections {
            let passed = try #require(try listener.readInbound(as: (any Channel).self))
            #expect(passed === connection)
        }
        _ = try listener.finish()
    }

    @Test func anEndSuppliedAfterTheExpectationCompletesIt() throws {
        let links = TunnelTCPAcceptedLinks()
        let connection = EmbeddedChannel()
        let linked = links.expect(connection)
        #expect(links.count == 1)
        let end = InertEnd()
        links.supply(TunnelSplicePeer(end, eventLoop: connection.eventLoop), for: connection)
        connection.embeddedEventLoop.run()
        let link = try linked.wait()
        #expect(link.eventLoop === connection.eventLoop)
        #expect(links.count == 0)
        // Closing it afterwards changes nothing.
        _ = try connection.finish()
        #expect(try linked.wait().eventLoop === connection.eventLoop)
    }

    @Test func aConnectionClosedBeforeItsSetUpFailsItsExpectation() throws {
        let links = TunnelTCPAcceptedLinks()
        let connection = EmbeddedChannel()
        let linked = links.expect(connection)
        connection.close(promise: nil)
        connection.embeddedEventLoop.run()
        // (An EmbeddedEventLoop future is read, not waited for: nothing would run the loop.)
        var outcome: Result<TunnelSplicePeer, any Error>?
        linked.whenComplete { outcome = $0 }
        #expect(throws: ChannelError.self) { try #require(outcome).get() }
        #expect(links.count == 0)
        // A late supply for it is ignored.
        links.supply(TunnelSplicePeer(InertEnd(), eventLoop: connection.eventLoop), for: connection)
        #expect(links.count == 0)
    }
}
