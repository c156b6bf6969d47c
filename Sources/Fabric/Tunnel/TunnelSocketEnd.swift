#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// Splice end on a TCP socket channel (`ByteBuffer` in and out): the runner's local connection to
/// the origin, or a client of a TCP tunnel on the server. The channel must allow remote half-closure
/// (`ChannelOptions.allowRemoteHalfClosure`) so an EOF is a half-close, not a close.
///
/// Reads go to the peer as they arrive; EOF becomes the peer's `finish()`; the peer's bytes are
/// written and flushed at once; the peer's finish shuts the socket's write side (FIN); a reset on
/// either side closes the socket with SO_LINGER 0, so the other party sees a TCP RST.
public final class TunnelSocketEnd: ChannelDuplexHandler, TunnelSpliceEndpoint {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var state = TunnelSpliceState()
    private var peer: TunnelSplicePeer?
    private var context: ChannelHandlerContext?
    /// The channel reported an error (a reset, not an EOF).
    private var failed = false
    /// Called once when the connection ends (cleanly or not).
    private let onClose: (() -> Void)?

    public init(onClose: (() -> Void)? = nil) {
        self.onClose = onClose
    }

    /// The handle the other end (or the runtime) uses. Call on the channel's event loop.
    public func link(eventLoop: any EventLoop) -> TunnelSplicePeer {
        TunnelSplicePeer(self, eventLoop: eventLoop)
    }

    public var spliceState: TunnelSpliceState { state }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: channel events

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard !state.aborted, let peer else { return }
        peer.send(bytes)
        if peer.isBacklogged { _ = state.peerWritabilityChanged(false) }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // No bytes either way for the idle timeout (a `TunnelIdleHandler` in front): reset both sides.
            reset(context: context)
            return
        }
        if case ChannelEvent.inputClosed = event {
            guard !state.aborted else { return }
            let finished = state.inputEnded()
            peer?.finish()
            if finished { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if !state.isFinished {
            if state.outputClosed, !state.inputClosed, !failed, !state.aborted {
                // An EOF after our own FIN closes a NIO socket fully without `inputClosed`: a clean end.
                _ = state.inputEnded()
                peer?.finish()
            } else if state.abort() {
                peer?.abort(.reset)
            }
        }
        onClose?()
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failed = true
        reset(context: context)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        peer?.writabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    public func read(context: ChannelHandlerContext) {
        if state.readRequested() { context.read() }
    }

    // MARK: peer events

    public func spliceAttached(to peer: TunnelSplicePeer) {
        self.peer = peer
        // Gone before the other end arrived: reset it.
        guard let context, !state.aborted else {
            peer.abort(.reset)
            return
        }
        if state.inputClosed { peer.finish() }
        if !context.channel.isWritable { peer.writabilityChanged(false) }
        if state.attach() { context.read() }
    }

    public func spliceReceived(_ bytes: ByteBuffer) {
        guard let context, !state.aborted, !state.outputClosed else { return }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    public func spliceFinished() {
        guard let context, !state.aborted else { return }
        let finished = state.outputEnded()
        context.close(mode: .output, promise: nil)
        if finished { context.close(promise: nil) }
    }

    public func spliceAborted(_ reason: TunnelAbort) {
        guard let context, state.abort() else { return }
        peer?.abort(.reset)
        Self.resetSocket(context.channel)
        context.close(promise: nil)
    }

    public func spliceQueueDrained() {
        guard let context else { return }
        peer?.writabilityChanged(context.channel.isWritable)
    }

    public func splicePeerWritabilityChanged(_ writable: Bool) {
        guard let context else { return }
        if state.peerWritabilityChanged(writable) { context.read() }
    }

    private func reset(context: ChannelHandlerContext) {
        guard state.abort() else { return }
        peer?.abort(.reset)
        Self.resetSocket(context.channel)
        context.close(promise: nil)
    }

    /// Read buffers for tunnel sockets: small for idle connections, growing to 1 MiB under bulk
    /// transfer (NIO's default stops at 64 KiB), so a busy stream moves in few large DATA frames
    /// (the data connection's SETTINGS_MAX_FRAME_SIZE is 1 MiB) and few syscalls.
    public static var receiveAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 * 1024, maximum: 1024 * 1024)
    }

    /// SO_LINGER 0: the close sends RST instead of FIN, so the other party sees an abort.
    public static func resetSocket(_ channel: any Channel) {
        // On the channel's loop the option is set synchronously, before the close that follows.
        _ = (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
    }
}
