import NIOCore
import NIOWebSocket

/// Opens a WebSocket on a connected channel: sends the handshake, reads the response head and, on
/// 101, adds the frame codec after itself, lets `upgraded` add the consumer, and only then passes on
/// the bytes that came with the head, all within one `channelRead`. So a frame sent right after
/// the 101 (even the server's close followed by its FIN) reaches the consumer before the EOF does.
///
/// Why not NIO's HTTP client upgrade handler (which HummingbirdWSClient uses): it removes its HTTP
/// decoder in a later event-loop tick; when the 101, a close frame and the FIN were read together,
/// the decoder saw the EOF first, dropped the close frame, and the EOF never reached the WebSocket,
/// so `mctl tunnels connect` kept a dead connection open forever.
final class WebSocketClientUpgradeHandler<Upgraded: Sendable>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case waiting(ByteBuffer)
        case upgraded
        case failed
    }

    private let handshake: WebSocketHandshake
    private let maxFrameSize: Int
    private let timeout: TimeAmount
    private let upgraded: (any Channel) throws -> Upgraded
    private let promise: EventLoopPromise<Upgraded>
    private var state = State.waiting(ByteBuffer())
    private var sent = false
    private var deadline: Scheduled<Void>?

    /// `upgraded` runs on the event loop, once, with the frame codec in place; its result completes
    /// `promise`. Any failure before that fails `promise` and closes the channel.
    init(
        handshake: WebSocketHandshake, maxFrameSize: Int, timeout: TimeAmount,
        promise: EventLoopPromise<Upgraded>, upgraded: @escaping (any Channel) throws -> Upgraded
    ) {
        self.handshake = handshake
        self.maxFrameSize = maxFrameSize
        self.timeout = timeout
        self.promise = promise
        self.upgraded = upgraded
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(context: context, .connectionClosed, close: false)
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, .connectionClosed)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { fail(context: context, .connectionClosed) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .waiting = state {
            state = .failed
            deadline?.cancel()
            promise.fail(error)
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .waiting(var received) = state else {
            // Upgraded: frames pass on to the decoder. Failed: nothing more is read.
            if case .upgraded = state { context.fireChannelRead(data) }
            return
        }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        let length: Int?
        do {
            length = try WebSocketHandshake.headLength(in: received)
        } catch {
            fail(context: context, error)
            return
        }
        guard let length else {
            state = .waiting(received)
            return
        }
        let head = received.readString(length: length - 4) ?? ""
        received.moveReaderIndex(forwardBy: 4)
        do {
            try handshake.check(head: head)
        } catch {
            fail(context: context, error)
            return
        }
        state = .upgraded
        deadline?.cancel()
        do {
            try context.pipeline.syncOperations.addHandlers(
                [WebSocketClientFrameEncoder(), ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize))],
                position: .after(self))
            promise.succeed(try upgraded(context.channel))
        } catch {
            state = .failed
            promise.fail(error)
            context.close(promise: nil)
            return
        }
        if received.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(received)) }
    }

    private func sendRequest(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        let request: ByteBuffer
        do {
            request = try handshake.request()
        } catch {
            fail(context: context, error)
            return
        }
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(context: context, .timedOut)
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: WebSocketHandshakeError, close: Bool = true) {
        guard case .waiting = state else { return }
        state = .failed
        deadline?.cancel()
        promise.fail(error)
        if close { context.close(promise: nil) }
    }
}
