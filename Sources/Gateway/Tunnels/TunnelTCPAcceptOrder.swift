import NIOCore

/// First handler of a TCP tunnel's listening channel, ahead of the bootstrap's acceptor: it sees
/// every accepted connection in the kernel's accept order, and hands it on in that order. (The
/// acceptor then sets each connection up on the connection's own event loop: one on the listener's
/// loop is set up at once, one on another loop a hop later, so anything started from the set-up
/// could overtake an earlier connection.)
final class TunnelTCPAcceptOrder: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let accepted: @Sendable (any Channel) -> Void

    init(accepted: @escaping @Sendable (any Channel) -> Void) {
        self.accepted = accepted
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        accepted(unwrapInboundIn(data))
        context.fireChannelRead(data)
    }
}
