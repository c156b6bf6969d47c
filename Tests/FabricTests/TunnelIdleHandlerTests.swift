import Fabric
import NIOCore
import NIOEmbedded
import Testing

/// The idle timeout of tunnel connections, on an embedded loop's clock.
@Suite struct TunnelIdleHandlerTests {
    final class IdleEvents: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var count = 0
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .all? = event as? IdleStateHandler.IdleStateEvent { count += 1 }
            context.fireUserInboundEventTriggered(event)
        }
    }

    @Test func silenceEitherWayForTheTimeoutIsIdleAgainAndAgain() throws {
        let events = IdleEvents()
        let channel = EmbeddedChannel(handlers: [TunnelIdleHandler(timeout: .seconds(10)), events])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0)
        try channel.writeInbound(ByteBuffer(string: "read"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0, "a read restarts the timeout")
        try channel.writeOutbound(ByteBuffer(string: "written"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0, "a flushed write restarts it too")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(events.count == 1, "10 s after the last bytes")
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(events.count == 2, "and again after each further 10 s of silence")
        _ = try channel.finish()
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(events.count == 2, "nothing once the channel is closed")
    }

    @Test func aHandlerAddedToAnOpenChannelStartsCountingThen() throws {
        let events = IdleEvents()
        let channel = EmbeddedChannel(handler: events)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        try channel.pipeline.syncOperations.addHandler(TunnelIdleHandler(timeout: .seconds(10)), position: .first)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(events.count == 1)
        _ = try channel.finish()
    }
}
