import NIOCore

/// Sits between a data connection's socket (or TLS) and its HTTP/2 handler and turns the flushes
/// of one event-loop pass into one. Every tunnel stream flushes the whole connection after its
/// write, one `writev` (and one TLS record) each: with many busy streams that is a syscall per
/// small HTTP request. Deferring the flush to a task queued on the same loop lets every stream
/// served in this pass add its frames first; the delay is the rest of the pass, not a timer.
final class FabricDataFlushCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var flushQueued = false

    func flush(context: ChannelHandlerContext) {
        guard !flushQueued else { return }
        flushQueued = true
        context.eventLoop.assumeIsolated().execute {
            self.flushQueued = false
            context.flush()
        }
    }
}
