import Fabric
import Logging
import NIOCore
import Orchestrator

/// First handler of every public-listener connection (before Hummingbird's HTTP codec). It reads
/// the first request head: API requests pass through to Hummingbird untouched for the rest of the
/// connection; tunnel requests (path or subdomain form) are authorized off the loop, then the
/// connection is spliced to a fresh data-connection stream to the runner: the rewritten request head
/// goes first, then the client's bytes raw; the response head is rewritten on its way back and the
/// rest of the response streams raw, flushed chunk by chunk (SSE), until the origin closes.
///
/// Rule: a connection serves one tunnel request (responses carry `Connection: close`); a connection
/// that started with an API request stays with the API. A `101 Switching Protocols` answer turns the
/// connection into a two-way pipe (WebSocket).
final class TunnelIngressHandler: ChannelDuplexHandler, TunnelSpliceEndpoint {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Mode: Equatable {
        /// Reading the first request head.
        case sniffing
        /// An API connection: everything passes through.
        case passthrough
        /// Authorizing and opening the upstream stream; client bytes are held, reads withheld.
        case connecting
        /// Upstream attached; the response head is being read.
        case awaitingResponseHead
        /// Response head sent: bytes flow raw both ways.
        case streaming
        /// Done (error answered, or closed).
        case closed
    }

    private let ingress: TunnelIngress
    private var mode = Mode.sniffing
    private var buffer: ByteBuffer?
    private var responseBuffer: ByteBuffer?
    private var rewriter: TunnelHTTPRewriter?
    private var upgrade = false
    /// Something was written to the client (so an error can no longer be answered with a status).
    private var responded = false
    private var splice = TunnelSpliceState()
    private var sniffReadPending = false
    private var peer: TunnelSplicePeer?
    private var context: ChannelHandlerContext?

    /// Completed once: true when the connection goes to the API, false when a tunnel takes it.
    private let decision: EventLoopPromise<Bool>?

    init(ingress: TunnelIngress, decision: EventLoopPromise<Bool>? = nil) {
        self.ingress = ingress
        self.decision = decision
    }

    var currentMode: Mode { mode }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        decision?.succeed(mode == .passthrough || mode == .sniffing)
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch mode {
        case .passthrough:
            context.fireChannelRead(data)
        case .sniffing:
            var bytes = unwrapInboundIn(data)
            if buffer == nil { buffer = bytes } else { buffer!.writeBuffer(&bytes) }
            sniff(context: context)
        case .connecting:
            var bytes = unwrapInboundIn(data)
            buffer?.writeBuffer(&bytes)
        case .awaitingResponseHead, .streaming:
            guard let peer else { return }
            peer.send(unwrapInboundIn(data))
            if peer.isBacklogged { _ = splice.peerWritabilityChanged(false) }
        case .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if mode == .passthrough || mode == .sniffing { context.fireChannelReadComplete() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        decision?.succeed(mode == .passthrough || mode == .sniffing)
        if mode != .passthrough && mode != .sniffing {
            if splice.abort() { peer?.abort(.reset) }
            mode = .closed
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if mode == .passthrough || mode == .sniffing {
            context.fireErrorCaught(error)
            return
        }
        if splice.abort() { peer?.abort(.reset) }
        mode = .closed
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, mode != .passthrough, mode != .sniffing {
            // The tunnel connection saw no bytes either way for the idle timeout.
            if splice.abort() { peer?.abort(.reset) }
            mode = .closed
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if mode == .awaitingResponseHead || mode == .streaming {
            peer?.writabilityChanged(context.channel.isWritable)
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: outbound

    func read(context: ChannelHandlerContext) {
        switch mode {
        case .passthrough, .sniffing:
            context.read()
        case .connecting:
            sniffReadPending = true
        case .awaitingResponseHead, .streaming:
            if splice.readRequested() { context.read() }
        case .closed:
            break
        }
    }

    // MARK: routing

    private func sniff(context: ChannelHandlerContext) {
        guard let buffer else { return }
        switch HTTPHeadParser.parse(buffer.readableBytesView) {
        case .needMore:
            return
        case .invalid:
            // Not ours to judge: Hummingbird answers malformed requests.
            passThrough(context: context)
        case .head(let head, let length):
            let route = ingress.router.route(target: head.startLine.1, host: head.first("host"))
            if route == .api {
                passThrough(context: context)
                return
            }
            mode = .connecting
            decision?.succeed(false)
            // Tunnel connections end after the idle timeout with no bytes either way.
            try? context.pipeline.syncOperations.addHandler(
                IdleStateHandler(allTimeout: ingress.idleTimeout), position: .before(self))
            self.buffer = buffer.getSlice(at: buffer.readerIndex + length, length: buffer.readableBytes - length)
            authorize(context: context, head: head, route: route)
        }
    }

    private func passThrough(context: ChannelHandlerContext) {
        mode = .passthrough
        decision?.succeed(true)
        if let buffer {
            self.buffer = nil
            context.fireChannelRead(wrapInboundOut(buffer))
        }
    }

    private func authorize(context: ChannelHandlerContext, head: HTTPHead, route: TunnelIngressRouter.Route) {
        let credential = TunnelCredential.extract(headers: head.headers, target: head.startLine.1)
        let ingress = self.ingress
        let client = TunnelSplicePeer(self, eventLoop: context.eventLoop)
        let clientIP = context.channel.remoteAddress?.ipAddress ?? "unknown"
        let promise = context.eventLoop.makePromise(of: Result<TunnelHTTPGrant, TunnelIngressError>.self)
        promise.completeWithTask {
            await ingress.runtime.authorizeHTTP(route: route, credential: credential.kind)
        }
        promise.futureResult.assumeIsolated().whenSuccess { result in
            guard self.mode == .connecting, let context = self.context else { return }
            switch result {
            case .failure(let error):
                self.fail(context: context, error)
            case .success(let grant):
                let target: String
                if case .path(_, let forward) = route {
                    target = TunnelCredential.removeQueryToken(forward).0
                } else {
                    target = credential.target
                }
                let rewriter = TunnelHTTPRewriter(
                    localPort: grant.tunnel.localPort, preserveHost: grant.tunnel.hostHeaderMode == "preserve",
                    pathPrefix: grant.pathPrefix, scheme: ingress.scheme, clientIP: clientIP)
                do {
                    let request = try rewriter.request(head, credential: credential, target: target)
                    self.rewriter = rewriter
                    self.upgrade = request.isUpgrade
                    var upstream = context.channel.allocator.buffer(capacity: request.head.utf8.count + (self.buffer?.readableBytes ?? 0))
                    upstream.writeString(request.head)
                    if var rest = self.buffer { upstream.writeBuffer(&rest) }
                    self.buffer = upstream
                    ingress.runtime.connect(
                        grant: grant, protocol: "http", clientAddress: clientIP, client: client,
                        closeFuture: context.channel.closeFuture)
                } catch {
                    var message = "invalid request"
                    if case .badRequest(let reason)? = error as? TunnelHTTPRewriter.Failure { message = reason }
                    self.fail(context: context, TunnelIngressError(status: 400, code: "invalid_request", message: message))
                }
            }
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: TunnelIngressError) {
        mode = .closed
        _ = splice.abort()
        buffer = nil
        guard !responded else {
            context.close(promise: nil)
            return
        }
        responded = true
        let text = TunnelHTTPRewriter.errorResponse(
            status: error.status, code: error.code, message: error.message, extraHeaders: error.headers)
        var bytes = context.channel.allocator.buffer(capacity: text.utf8.count)
        bytes.writeString(text)
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    // MARK: splice (the upstream stream)

    func spliceAttached(to peer: TunnelSplicePeer) {
        guard let context, mode == .connecting else {
            peer.abort(.reset)
            return
        }
        self.peer = peer
        mode = .awaitingResponseHead
        if let upstream = buffer {
            buffer = nil
            peer.send(upstream)
        }
        if !context.channel.isWritable { peer.writabilityChanged(false) }
        var read = splice.attach()
        if sniffReadPending {
            sniffReadPending = false
            read = splice.readRequested() || read
        }
        if read { context.read() }
    }

    func spliceReceived(_ bytes: ByteBuffer) {
        guard let context else { return }
        switch mode {
        case .streaming:
            responded = true
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .awaitingResponseHead:
            var bytes = bytes
            if responseBuffer == nil { responseBuffer = bytes } else { responseBuffer!.writeBuffer(&bytes) }
            readResponseHeads(context: context)
        default:
            break
        }
    }

    private func readResponseHeads(context: ChannelHandlerContext) {
        while mode == .awaitingResponseHead, let pending = responseBuffer {
            switch HTTPHeadParser.parse(pending.readableBytesView) {
            case .needMore:
                return
            case .invalid:
                peer?.abort(.reset)
                fail(context: context, TunnelIngressError(status: 502, code: "bad_gateway", message: "the origin sent an invalid response head"))
                return
            case .head(let head, let length):
                guard let rewriter else { return }
                let text = rewriter.response(head)
                var out = context.channel.allocator.buffer(capacity: text.utf8.count)
                out.writeString(text)
                let rest = pending.getSlice(at: pending.readerIndex + length, length: pending.readableBytes - length)
                responseBuffer = rest?.readableBytes == 0 ? nil : rest
                let status = Int(head.startLine.1) ?? 0
                if !(100..<200).contains(status) || status == 101 {
                    mode = .streaming
                    if let rest = responseBuffer {
                        responseBuffer = nil
                        out.writeImmutableBuffer(rest)
                    }
                }
                responded = true
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
        }
    }

    func spliceFinished() {
        guard let context else { return }
        switch mode {
        case .awaitingResponseHead:
            if !responded {
                fail(context: context, TunnelIngressError(status: 502, code: "bad_gateway", message: "the origin closed the connection before answering"))
            } else {
                finishClient(context: context)
            }
        case .streaming:
            finishClient(context: context)
        default:
            break
        }
    }

    /// The origin finished its response: the client connection ends (one request per connection).
    private func finishClient(context: ChannelHandlerContext) {
        mode = .closed
        _ = splice.outputEnded()
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func spliceAborted(_ reason: TunnelAbort) {
        guard let context, mode != .closed, mode != .passthrough, mode != .sniffing else { return }
        let first = splice.abort()
        if first { peer?.abort(.reset) }
        switch reason {
        case .tunnelEnded(let status, let code, let message):
            fail(context: context, TunnelIngressError(status: status, code: code, message: message))
        case .reset:
            if mode == .connecting || !responded {
                fail(context: context, TunnelIngressError(status: 502, code: "bad_gateway", message: "the connection to the origin failed"))
            } else {
                mode = .closed
                context.close(promise: nil)
            }
        }
    }

    func spliceQueueDrained() {
        guard let context, mode == .awaitingResponseHead || mode == .streaming else { return }
        peer?.writabilityChanged(context.channel.isWritable)
    }

    func splicePeerWritabilityChanged(_ writable: Bool) {
        guard let context, mode == .awaitingResponseHead || mode == .streaming else { return }
        if splice.peerWritabilityChanged(writable) { context.read() }
    }
}
