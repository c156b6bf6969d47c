import Fabric
import NIOCore
import NIOHTTP2

/// The server's end of one standby stream (``FabricDataStandbyAssignment``): idle in
/// ``TunnelStandbyPool`` until a client connection is assigned to it. Then it writes the assignment
/// as the response head and splices the client to a stream end behind it at once, so the client's
/// first bytes travel while the runner dials (the runner holds them until it is connected), and
/// watches for the runner's answer: an empty DATA frame (connected: this handler leaves) or
/// trailers with `x-dial-error` (the client gets 502).
final class TunnelStandbyStream: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// A Sendable handle for the pool; calls hop to the stream's event loop.
    struct Handle: Sendable {
        let id: ObjectIdentifier
        let eventLoop: any EventLoop
        fileprivate let stream: NIOLoopBound<TunnelStandbyStream>

        /// Answers the stream with `assignment`; `onDead` runs (on the stream's loop) instead when the
        /// stream closed or was taken meanwhile.
        func assign(_ assignment: FabricDataStandbyAssignment, onDead: @escaping @Sendable () -> Void) {
            if eventLoop.inEventLoop {
                if !stream.value.assign(assignment) { onDead() }
            } else {
                eventLoop.execute { [stream] in
                    if !stream.value.assign(assignment) { onDead() }
                }
            }
        }
    }

    private enum State {
        case idle
        case dialing(FabricDataStandbyAssignment)
        case done
    }

    private let runnerID: String
    private let broker: TunnelStreamBroker
    private let pool: TunnelStandbyPool
    private var state = State.idle
    private var context: ChannelHandlerContext?

    init(runnerID: String, broker: TunnelStreamBroker, pool: TunnelStandbyPool) {
        self.runnerID = runnerID
        self.broker = broker
        self.pool = pool
    }

    /// Call on the stream's event loop.
    func handle(eventLoop: any EventLoop) -> Handle {
        Handle(id: ObjectIdentifier(self), eventLoop: eventLoop, stream: NIOLoopBound(self, eventLoop: eventLoop))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// False when the stream is gone (the caller tries another).
    private func assign(_ assignment: FabricDataStandbyAssignment) -> Bool {
        guard case .idle = state, let context, context.channel.isActive else { return false }
        guard let (client, meter) = broker.standbyClient(assignment, runnerID: runnerID) else {
            // The client left before its turn: this stream waits for the next one.
            if let connection = context.channel.parent,
                !pool.offer(handle(eventLoop: context.eventLoop), runnerID: runnerID, connection: connection)
            {
                context.close(promise: nil)
            }
            return true
        }
        state = .dialing(assignment)
        broker.asked(onStandby: true)
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: assignment.responseHeaders))), promise: nil)
        let end = TunnelStreamEnd(peer: client, meter: meter)
        do {
            try context.pipeline.syncOperations.addHandler(end, position: .after(self))
        } catch {
            state = .done
            broker.standbyDialFailed(assignment, runnerID: runnerID, reason: "the stream could not be set up")
            context.close(promise: nil)
            return true
        }
        client.attach(end.link(eventLoop: context.eventLoop))
        return true
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        switch state {
        case .idle:
            // The runner sends no DATA or trailers on a stream nobody was assigned to (a reset
            // arrives as a frame too: the close follows).
            switch payload {
            case .data, .headers: context.close(promise: nil)
            default: break
            }
        case .dialing(let assignment):
            switch payload {
            case .data:
                // Connected (the empty frame; bytes or an end with it pass on to the stream end).
                state = .done
                guard broker.standbyConnected(assignment, runnerID: runnerID) else {
                    context.close(promise: nil)  // the client left or timed out: RST_STREAM, the runner drops its socket
                    return
                }
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            case .headers(let trailers) where trailers.endStream:
                state = .done
                let reason = trailers.headers.first(name: FabricDataStandbyAssignment.dialErrorHeader) ?? "no connection"
                broker.standbyDialFailed(assignment, runnerID: runnerID, reason: reason)
                context.close(promise: nil)
            default:
                break
            }
        case .done:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .idle:
            pool.remove(runnerID: runnerID, id: ObjectIdentifier(self))
        case .dialing(let assignment):
            broker.standbyDialFailed(assignment, runnerID: runnerID, reason: "the runner's stream closed before it connected")
        case .done:
            break
        }
        state = .done
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset from the runner; channelInactive follows.
        context.close(promise: nil)
    }
}
