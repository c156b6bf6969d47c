import NIOCore
import NIOHTTP2

/// On a runner's standby stream: the server sends the client's first bytes right after the
/// assignment, while the runner still dials. This handler holds them (and stops reading, so the
/// stream window bounds what waits) until ``release()`` hands them to the stream end added behind
/// it once the local socket is connected; then it leaves the pipeline.
final class TunnelStandbyHold: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload

    private var held = CircularBuffer<HTTP2Frame.FramePayload>()
    private var readPending = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func read(context: ChannelHandlerContext) {
        // Before the answer nothing is held and reads pass (the response head must arrive).
        if held.isEmpty { context.read() } else { readPending = true }
    }

    /// Passes what was held to the handlers behind, then leaves. Call on the stream's event loop.
    func release() {
        guard let context else { return }
        if !held.isEmpty {
            while let frame = held.popFirst() { context.fireChannelRead(wrapInboundOut(frame)) }
            context.fireChannelReadComplete()
        }
        let channel = context.channel
        let read = readPending
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        if read { channel.read() }
    }
}
