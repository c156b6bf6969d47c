import NIOCore
import NIOHTTP2

/// Splice end on one HTTP/2 stream of the fabric data connection (runner-protocol.md §10): DATA
/// frames carry the connection's raw bytes both ways with no framing of our own. END_STREAM is a
/// half-close; the stream closing before both directions ended (RST_STREAM, connection loss) aborts
/// the peer; the peer aborting resets the stream (closing an open stream channel sends RST_STREAM
/// CANCEL). Reads are withheld while the peer is unwritable, so the HTTP/2 window pushes back.
public final class TunnelStreamEnd: ChannelDuplexHandler, TunnelSpliceEndpoint {
    public typealias InboundIn = HTTP2Frame.FramePayload
    public typealias OutboundIn = HTTP2Frame.FramePayload
    public typealias OutboundOut = HTTP2Frame.FramePayload

    private var state = TunnelSpliceState()
    private var peer: TunnelSplicePeer?
    private var context: ChannelHandlerContext?
    private let onClose: (() -> Void)?
    private let meter: (any TunnelByteMeter)?
    private var unreportedReceived = 0
    private var unreportedSent = 0
    /// Bytes counted before they are reported to the meter.
    public static let meterBatchBytes = 256 * 1024

    /// `peer` may be given now (the other end exists) or later through ``spliceAttached(to:)``.
    public init(peer: TunnelSplicePeer? = nil, meter: (any TunnelByteMeter)? = nil, onClose: (() -> Void)? = nil) {
        self.peer = peer
        self.meter = meter
        self.onClose = onClose
        if peer != nil { _ = state.attach() }
    }

    private func metered(received: Int = 0, sent: Int = 0) {
        guard let meter else { return }
        unreportedReceived += received
        unreportedSent += sent
        if unreportedReceived + unreportedSent >= Self.meterBatchBytes { reportBytes(to: meter) }
    }

    private func reportBytes(to meter: any TunnelByteMeter) {
        guard unreportedReceived + unreportedSent > 0 else { return }
        meter.count(received: unreportedReceived, sent: unreportedSent)
        unreportedReceived = 0
        unreportedSent = 0
    }

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
        guard !state.aborted else { return }
        switch unwrapInboundIn(data) {
        case .data(let frame):
            if case .byteBuffer(let bytes) = frame.data, bytes.readableBytes > 0, let peer {
                metered(received: bytes.readableBytes)
                peer.send(bytes)
                if peer.isBacklogged { _ = state.peerWritabilityChanged(false) }
            }
            if frame.endStream { inputEnded() }
        case .headers(let headers) where headers.endStream:
            inputEnded()
        default:
            break
        }
    }

    private func inputEnded() {
        guard !state.inputClosed else { return }
        _ = state.inputEnded()
        peer?.finish()
    }

    /// What the peer learns when the whole data connection went down rather than this stream: its
    /// runner is gone (an HTTP client still waiting for its answer gets 503, api.md §9.1).
    public static let connectionLost = TunnelAbort.tunnelEnded(
        status: 503, code: "runner_not_connected", message: "the runner's data connection was lost")

    public func channelInactive(context: ChannelHandlerContext) {
        if !state.isFinished, state.abort() {
            // A reset from the peer leaves the connection up; a lost connection closes every stream.
            let connectionLost = context.channel.parent.map { !$0.isActive } ?? false
            peer?.abort(connectionLost ? Self.connectionLost : .reset)
        }
        if let meter { reportBytes(to: meter) }
        onClose?()
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Stream errors (a reset from the peer) are followed by channelInactive; close to be sure.
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        if !writable { meter?.stalled(sending: true) }
        peer?.writabilityChanged(writable)
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
        metered(sent: bytes.readableBytes)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(bytes), endStream: false))), promise: nil)
    }

    public func spliceFinished() {
        guard let context, !state.aborted else { return }
        _ = state.outputEnded()
        context.writeAndFlush(
            wrapOutboundOut(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))), promise: nil)
    }

    public func spliceAborted(_ reason: TunnelAbort) {
        guard let context, state.abort() else { return }
        peer?.abort(.reset)
        context.close(promise: nil)
    }

    public func spliceQueueDrained() {
        guard let context else { return }
        peer?.writabilityChanged(context.channel.isWritable)
    }

    public func splicePeerWritabilityChanged(_ writable: Bool) {
        guard let context else { return }
        if !writable { meter?.stalled(sending: false) }
        if state.peerWritabilityChanged(writable) { context.read() }
    }
}
