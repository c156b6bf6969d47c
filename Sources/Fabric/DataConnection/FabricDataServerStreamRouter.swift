import Logging
import NIOCore
import NIOHPACK
import NIOHTTP2

/// What every stream of a server-side data connection needs: shared by all connections of one server.
final class FabricDataServerShared: Sendable {
    let authenticator: FabricDataAuthenticator
    let streamHandler: any FabricDataStreamHandler
    let registry: FabricDataRunnerRegistry
    let authCacheTTL: TimeAmount
    let logger: Logger

    init(
        authenticator: @escaping FabricDataAuthenticator,
        streamHandler: any FabricDataStreamHandler,
        registry: FabricDataRunnerRegistry,
        authCacheTTL: TimeAmount,
        logger: Logger
    ) {
        self.authenticator = authenticator
        self.streamHandler = streamHandler
        self.registry = registry
        self.authCacheTTL = authCacheTTL
        self.logger = logger
    }
}

/// Per-connection state on the server: which runner the connection belongs to and its auth cache.
/// Confined to the connection's event loop (stream channels share their parent's loop).
final class FabricDataServerConnectionState {
    let channel: any Channel
    let shared: FabricDataServerShared
    private(set) var runnerID: String?
    var authCache: FabricDataAuthCache
    var unauthenticatedTimeout: Scheduled<Void>?

    init(channel: any Channel, shared: FabricDataServerShared) {
        self.channel = channel
        self.shared = shared
        self.authCache = FabricDataAuthCache(timeToLive: shared.authCacheTTL)
    }

    /// Binds the connection to `runnerID` on its first authenticated stream. False if it belongs to another runner.
    func bind(runnerID: String) -> Bool {
        if let bound = self.runnerID {
            return bound == runnerID
        }
        self.runnerID = runnerID
        self.unauthenticatedTimeout?.cancel()
        self.unauthenticatedTimeout = nil
        self.shared.registry.register(runnerID: runnerID, channel: self.channel)
        return true
    }
}

/// First handler of every inbound stream on the server: authenticates the request headers, answers health probes
/// and errors itself, and hands tunnel streams to the injected ``FabricDataStreamHandler``, then leaves the
/// pipeline. While a decision is pending it holds the request DATA already delivered (at most one stream window)
/// and withholds `read()` so the peer is flow-controlled.
final class FabricDataServerStreamRouter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private enum State {
        case awaitingHeaders
        case deciding
        case responded
        case handedOver
        case closed
    }

    private let connection: FabricDataServerConnectionState
    private var state = State.awaitingHeaders
    private var held = CircularBuffer<HTTP2Frame.FramePayload>()
    private var requestEnded = false
    private var readPending = false

    init(connection: FabricDataServerConnectionState) {
        self.connection = connection
    }

    private var logger: Logger { self.connection.shared.logger }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = self.unwrapInboundIn(data)
        switch self.state {
        case .awaitingHeaders:
            guard case .headers(let headers) = payload else {
                self.reset(context: context, code: .protocolError)
                return
            }
            self.requestEnded = headers.endStream
            self.state = .deciding
            self.requestReceived(context: context, headers: headers.headers)
        case .deciding:
            self.noteRequestEnd(payload)
            self.held.append(payload)
        case .responded, .closed:
            self.noteRequestEnd(payload)
        case .handedOver:
            context.fireChannelRead(data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .handedOver = self.state {
            context.fireChannelReadComplete()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .handedOver = self.state {
            context.fireChannelInactive()
            return
        }
        self.state = .closed
        self.held.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .handedOver = self.state {
            context.fireErrorCaught(error)
            return
        }
        // Stream errors (peer reset, connection gone) end the stream; nothing to do beyond noting them.
        self.logger.debug("data stream error before hand-over", metadata: ["error": "\(error)"])
    }

    // MARK: outbound

    func read(context: ChannelHandlerContext) {
        if case .deciding = self.state {
            self.readPending = true
        } else {
            context.read()
        }
    }

    // MARK: routing

    private func noteRequestEnd(_ payload: HTTP2Frame.FramePayload) {
        switch payload {
        case .data(let data) where data.endStream: self.requestEnded = true
        case .headers(let headers) where headers.endStream: self.requestEnded = true
        default: break
        }
    }

    private func requestReceived(context: ChannelHandlerContext, headers: HPACKHeaders) {
        let head: FabricDataRequestHead
        switch FabricDataRequestHead.parse(headers) {
        case .failure(let failure):
            self.respond(context: context, status: failure.status)
            return
        case .success(let parsed):
            head = parsed
        }
        if let bound = self.connection.runnerID, bound != head.runnerID {
            self.respond(context: context, status: 403)
            return
        }
        if self.connection.authCache.isValid(runnerID: head.runnerID, token: head.token, now: .now()) {
            self.authorized(context: context, head: head, headers: headers)
            return
        }
        let authenticator = self.connection.shared.authenticator
        let promise = context.eventLoop.makePromise(of: Bool.self)
        promise.completeWithTask { await authenticator(head.runnerID, head.token) }
        promise.futureResult.assumeIsolated().whenComplete { result in
            guard case .deciding = self.state else { return }
            guard case .success(true) = result else {
                self.logger.info("data stream refused: bad runner credentials", metadata: ["runner_id": "\(head.runnerID)"])
                self.respond(context: context, status: 401)
                return
            }
            self.connection.authCache.recordSuccess(runnerID: head.runnerID, token: head.token, now: .now())
            self.authorized(context: context, head: head, headers: headers)
        }
    }

    private func authorized(context: ChannelHandlerContext, head: FabricDataRequestHead, headers: HPACKHeaders) {
        guard self.connection.bind(runnerID: head.runnerID) else {
            self.respond(context: context, status: 403)
            return
        }
        switch FabricDataRoute(method: head.method, path: head.path) {
        case .health:
            var body = context.channel.allocator.buffer(capacity: 2)
            body.writeStaticString("ok")
            self.respond(
                context: context,
                status: 200,
                headers: ["content-type": "text/plain"],
                body: head.method == "HEAD" ? nil : body
            )
        case .notFound:
            self.respond(context: context, status: 404)
        case .methodNotAllowed:
            self.respond(context: context, status: 405)
        case .tunnelConnection(let tunnelID, let connectionID):
            var requestHeaders = headers
            requestHeaders.remove(name: FabricDataSettings.runnerTokenHeader)
            let request = FabricDataStreamRequest(
                runnerID: head.runnerID,
                tunnelID: tunnelID,
                connectionID: connectionID,
                headers: requestHeaders,
                requestEnded: self.requestEnded
            )
            self.apply(self.connection.shared.streamHandler.handleTunnelStream(request), context: context)
        case .tunnelStandby:
            guard !self.requestEnded else {
                self.respond(context: context, status: 400)
                return
            }
            self.apply(self.connection.shared.streamHandler.handleStandbyStream(runnerID: head.runnerID), context: context)
        }
    }

    private func apply(_ decision: FabricDataStreamDecision, context: ChannelHandlerContext) {
        switch decision {
        case .respond(let status, let headers):
            self.respond(context: context, status: status, headers: headers)
        case .reset(let code):
            self.reset(context: context, code: code)
        case .accept(let headers, let configure):
            var response: HPACKHeaders = [":status": "200"]
            response.add(contentsOf: headers)
            context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: response))), promise: nil)
            self.handOver(context: context, configure: configure)
        case .hold(let configure):
            self.handOver(context: context, configure: configure)
        }
    }

    private func handOver(context: ChannelHandlerContext, configure: @Sendable (any Channel) throws -> Void) {
        do {
            try configure(context.channel)
        } catch {
            self.logger.warning("tunnel stream handler failed to configure", metadata: ["error": "\(error)"])
            self.reset(context: context, code: .internalError)
            return
        }
        self.state = .handedOver
        let channel = context.channel
        if !self.held.isEmpty {
            while let frame = self.held.popFirst() {
                context.fireChannelRead(self.wrapInboundOut(frame))
            }
            context.fireChannelReadComplete()
        }
        let readPending = self.readPending
        self.readPending = false
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        if readPending {
            channel.read()
        }
    }

    /// Answers `status` with END_STREAM; then asks the peer to stop sending (RST_STREAM NO_ERROR, RFC 9113
    /// §8.1) if the request is still open once the response is out.
    private func respond(
        context: ChannelHandlerContext,
        status: Int,
        headers: HPACKHeaders = [:],
        body: ByteBuffer? = nil
    ) {
        self.state = .responded
        self.held.removeAll()
        var response: HPACKHeaders = [":status": String(status)]
        response.add(contentsOf: headers)
        let written = context.eventLoop.makePromise(of: Void.self)
        if let body {
            context.write(self.wrapOutboundOut(.headers(.init(headers: response))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.data(.init(data: .byteBuffer(body), endStream: true))), promise: written)
        } else {
            context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: response, endStream: true))), promise: written)
        }
        written.futureResult.assumeIsolated().whenSuccess {
            guard !self.requestEnded, case .responded = self.state else { return }
            context.writeAndFlush(self.wrapOutboundOut(.rstStream(.noError)), promise: nil)
        }
        if self.readPending {
            self.readPending = false
            context.read()
        }
    }

    private func reset(context: ChannelHandlerContext, code: HTTP2ErrorCode) {
        self.state = .responded
        self.held.removeAll()
        context.writeAndFlush(self.wrapOutboundOut(.rstStream(code)), promise: nil)
    }
}
