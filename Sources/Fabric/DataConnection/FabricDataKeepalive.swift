import Logging
import NIOCore
import NIOHTTP2

/// The server's keepalive on a data connection (streaming.md §7.8: HTTP/2 PING every 15 s, timeout
/// 10 s): idle tunnels survive NAT and load-balancer timeouts, and a runner that vanished without
/// a FIN or RST (a network partition, a host powered off) is noticed within `interval + timeout`
/// rather than never, so new tunnel connections are not handed to a dead connection. The runner's
/// own health probes (`FabricDataClientConfiguration.healthInterval`) watch the other way.
///
/// Sits after the HTTP/2 handler, where root-stream frames arrive; passes every frame on.
final class FabricDataKeepalive: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let interval: TimeAmount
    private let timeout: TimeAmount
    private let logger: Logger
    private var tick: Scheduled<Void>?
    private var lastPing = NIODeadline.distantPast
    /// The PING sent and not acknowledged yet, and when it went.
    private var outstanding: (data: HTTP2PingData, sentAt: NIODeadline)?
    private var sent: UInt64 = 0

    init(interval: TimeAmount, timeout: TimeAmount, logger: Logger) {
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .ping(let ping, ack: true) = unwrapInboundIn(data).payload, ping == outstanding?.data {
            outstanding = nil
        }
        context.fireChannelRead(data)
    }

    private func start(context: ChannelHandlerContext) {
        guard tick == nil else { return }
        lastPing = context.eventLoop.now
        schedule(context: context)
    }

    /// Checked a few times per interval, so a missing answer is seen soon after `timeout`.
    private func schedule(context: ChannelHandlerContext) {
        let step = TimeAmount.nanoseconds(max(min(interval.nanoseconds, timeout.nanoseconds) / 2, 1_000_000))
        tick = context.eventLoop.assumeIsolated().scheduleTask(in: step) {
            self.tick = nil
            self.check(context: context)
        }
    }

    private func check(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        if let outstanding {
            guard now - outstanding.sentAt < timeout else {
                logger.warning(
                    "closing data connection: no answer to a keepalive PING",
                    metadata: ["timeout_ms": "\(timeout.nanoseconds / 1_000_000)"])
                context.close(promise: nil)
                return
            }
        } else if now - lastPing >= interval {
            lastPing = now
            sent &+= 1
            let data = HTTP2PingData(withInteger: sent)
            outstanding = (data, now)
            context.writeAndFlush(NIOAny(HTTP2Frame(streamID: .rootStream, payload: .ping(data, ack: false))), promise: nil)
        }
        schedule(context: context)
    }

    private func stop() {
        tick?.cancel()
        tick = nil
    }
}
