import NIOCore

/// Fires `IdleStateHandler.IdleStateEvent.all` once a tunnel connection moved no bytes either way for
/// `timeout`, then again after each further `timeout` of silence, as NIO's `IdleStateHandler(allTimeout:)`
/// does. That handler makes a promise and a callback for every write to learn when it completed; a tunnel
/// writes once per chunk or response, so this one notes the time of each read batch and each flush instead
/// (a peer that stops reading stops our writes too, through backpressure, so it still goes idle).
public final class TunnelIdleHandler: ChannelDuplexHandler {
    public typealias InboundIn = NIOAny
    public typealias InboundOut = NIOAny
    public typealias OutboundIn = NIOAny
    public typealias OutboundOut = NIOAny

    public let timeout: TimeAmount
    private var lastActivity = NIODeadline.distantPast
    private var read = false
    private var check: Scheduled<Void>?

    public init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        if check == nil { start(context: context) }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        read = true
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if read {
            read = false
            lastActivity = context.eventLoop.now
        }
        context.fireChannelReadComplete()
    }

    public func flush(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        context.flush()
    }

    private func start(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        schedule(context: context, at: lastActivity + timeout)
    }

    private func schedule(context: ChannelHandlerContext, at deadline: NIODeadline) {
        check = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        if now - lastActivity >= timeout {
            schedule(context: context, at: now + timeout)
            context.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        } else {
            schedule(context: context, at: lastActivity + timeout)
        }
    }
}
