import Fabric
import Logging
import NIOCore
import Orchestrator

/// First handler of every public-listener connection (before Hummingbird's HTTP codec). It reads
/// the first request head: for an API request it holds the bytes until Hummingbird's pipeline is
/// installed behind it (``PublicServer``), then passes everything through untouched for
/// the rest of the connection; tunnel requests (path or subdomain form) are authorized off the loop, then the
/// connection is spliced to a fresh data-connection stream to the runner, which keeps one
/// connection to the origin for as long as the client keeps its own (keep-alive).
///
/// Both directions are framed (`HTTPMessageSplitter`): every request head is rewritten on its way
/// up and every response head on its way back; bodies pass through as they arrive (SSE events are
/// flushed at once). Requests may be pipelined. A `101 Switching Protocols` answer turns the
/// connection into a two-way pipe (WebSocket). The connection ends after a response either side
/// wants closed, after a response whose body runs to the origin's close, or when a later request
/// names another tunnel or the API (the client then opens a new connection for it, as it does when
/// any keep-alive connection closes).
final class TunnelIngressHandler: ChannelDuplexHandler, TunnelSpliceEndpoint {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Mode: Equatable {
        /// Reading the first request head.
        case sniffing
        /// An API connection whose Hummingbird pipeline is being installed: bytes are held, reads
        /// withheld.
        case handingOver
        /// An API connection: everything passes through.
        case passthrough
        /// Authorizing and opening the upstream stream; client bytes are held, reads withheld.
        case connecting
        /// Upstream attached: requests go up and responses come back, heads rewritten.
        case exchanging
        /// After a 101: bytes flow raw both ways.
        case piping
        /// Done (error answered, or closed).
        case closed
    }

    /// A request sent upstream and not answered yet.
    private struct Pending {
        let method: String
        let keepAlive: Bool
        let isUpgrade: Bool
        /// When its head went upstream (`marionette_tunnel_request_duration_seconds`).
        let sentAt: ContinuousClock.Instant
        /// Its body went upstream whole: the wait for the response head may begin.
        var sentWhole = false
    }

    private let ingress: TunnelIngress
    private var mode = Mode.sniffing
    /// Sniffing: the bytes read so far. Connecting: everything the client sent (the first head too).
    private var buffer: ByteBuffer?
    private var requests = HTTPMessageSplitter()
    private var responses = HTTPMessageSplitter()
    private var pending: [Pending] = []
    /// The connection's tunnel (later requests must name the same one).
    private var tunnelRoute: TunnelIngressRouter.Route?
    private var rewriter: TunnelHTTPRewriter?
    private var clientIP = "unknown"
    /// A response head went to the client and its body has not ended: an error can only close.
    private var responseOpen = false
    private var responseKeepAlive = true
    /// The response in progress is a 1xx (another head follows for the same request).
    private var informational = false
    /// Status of the response in progress.
    private var responseStatus = 0
    /// No further request is forwarded: the connection ends once `pending` is answered.
    private var lastRequestSent = false
    /// Answered (instead of a clean close) once `pending` is empty.
    private var deferredError: TunnelIngressError?
    /// An upgrade request waits for its answer; the client's next bytes wait with it.
    private var awaitingUpgrade = false
    /// The origin's side of the stream ended.
    private var upstreamFinished = false
    private var splice = TunnelSpliceState()
    /// The oldest pending request was sent whole and its response head has not come since then.
    private var awaitingHeadSince: NIODeadline?
    /// Checks ``awaitingHeadSince`` against the timeouts; set only while something waits (one
    /// timer a connection, re-armed when it fires rather than per request).
    private var headCheck: Scheduled<Void>?
    private var clientReadPending = false
    /// The client half-closed: it sends nothing more (the listener allows remote half-closure).
    private var clientEnded = false
    private var flushPending = false
    private var peer: TunnelSplicePeer?
    /// Response bytes gathered in one pass: heads and the small bodies after them are copied into
    /// one buffer, so a small response costs one pipeline write rather than two.
    private var outgoing: ByteBuffer?
    /// Bodies up to this size are copied next to their head.
    private static let coalesceLimit = 4096
    private var context: ChannelHandlerContext?

    /// Called once, on the loop, when the first request is for the API: the listener installs
    /// Hummingbird's pipeline, then calls ``apiPipelineInstalled()``. Tunnel connections (and ones
    /// closed before a request) never call it, so they cost the listener no task.
    private var onAPI: ((any Channel, TunnelIngressHandler) -> Void)?

    init(ingress: TunnelIngress, onAPI: @escaping (any Channel, TunnelIngressHandler) -> Void) {
        self.ingress = ingress
        self.onAPI = onAPI
    }

    var currentMode: Mode { mode }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        onAPI = nil
        headCheck?.cancel()
        headCheck = nil
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
        case .connecting, .handingOver:
            var bytes = unwrapInboundIn(data)
            buffer?.writeBuffer(&bytes)
        case .exchanging:
            requests.append(unwrapInboundIn(data))
            forwardRequests(context: context)
            if peer?.isBacklogged == true { _ = splice.peerWritabilityChanged(false) }
        case .piping:
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
        switch mode {
        case .passthrough, .sniffing, .handingOver:
            break
        case .closed:
            // Ended on purpose; the upstream was finished (or had finished) already.
            break
        case .connecting, .exchanging, .piping:
            if splice.abort() { peer?.abort(.reset) }
            mode = .closed
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if mode == .passthrough || mode == .sniffing || mode == .handingOver {
            context.fireErrorCaught(error)
            return
        }
        if splice.abort() { peer?.abort(.reset) }
        mode = .closed
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, mode != .passthrough {
            clientInputEnded(context: context)
            return
        }
        if event is ChannelShouldQuiesceEvent {
            // The server is shutting down (it waits for every connection to close).
            switch mode {
            case .sniffing:
                // No request yet (a browser's preconnect, say): nothing to finish.
                mode = .closed
                buffer = nil
                context.close(promise: nil)
                return
            case .exchanging where !awaitingUpgrade:
                // Keep-alive ends: the requests sent are answered, then the connection closes.
                _ = requests.takeBuffered()
                lastRequestSent = true
                endIfAnswered(context: context)
                return
            default:
                break
            }
        }
        if event is IdleStateHandler.IdleStateEvent, mode != .passthrough, mode != .sniffing, mode != .handingOver {
            // The tunnel connection saw no bytes either way for the idle timeout.
            if splice.abort() { peer?.abort(.reset) }
            mode = .closed
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if mode == .exchanging || mode == .piping {
            peer?.writabilityChanged(context.channel.isWritable)
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: outbound

    func read(context: ChannelHandlerContext) {
        switch mode {
        case .passthrough, .sniffing:
            context.read()
        case .connecting, .handingOver:
            clientReadPending = true
        case .exchanging where awaitingUpgrade:
            clientReadPending = true
        case .exchanging, .piping:
            if splice.readRequested() { context.read() }
        case .closed:
            break
        }
    }

    // MARK: routing

    private func sniff(context: ChannelHandlerContext) {
        guard let buffer else { return }
        switch HTTPHeadParser.parse(buffer) {
        case .needMore:
            return
        case .invalid:
            // Not ours to judge: Hummingbird answers malformed requests.
            handToAPI(context: context)
        case .head(let head, _):
            let route = ingress.router.route(target: head.startLine.1, host: head.first("host"))
            if route == .api {
                handToAPI(context: context)
                return
            }
            mode = .connecting
            onAPI = nil
            // Tunnel connections end after the idle timeout with no bytes either way.
            try? context.pipeline.syncOperations.addHandler(
                TunnelIdleHandler(timeout: ingress.idleTimeout), position: .before(self))
            authorize(context: context, head: head, route: route)
        }
    }

    /// An API connection: the bytes wait for Hummingbird's pipeline (``apiPipelineInstalled()``).
    private func handToAPI(context: ChannelHandlerContext) {
        mode = .handingOver
        let onAPI = self.onAPI
        self.onAPI = nil
        onAPI?(context.channel, self)
    }

    /// Hummingbird's handlers are in place behind this one: the bytes held go to them, and from
    /// now on everything passes through.
    func apiPipelineInstalled() {
        guard mode == .handingOver, let context else { return }
        mode = .passthrough
        if let buffer {
            self.buffer = nil
            context.fireChannelRead(wrapInboundOut(buffer))
            context.fireChannelReadComplete()
        }
        if clientEnded {
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        } else if clientReadPending {
            clientReadPending = false
            context.read()
        }
    }

    // MARK: client half-close

    private func clientInputEnded(context: ChannelHandlerContext) {
        clientEnded = true
        switch mode {
        case .sniffing:
            // Its first head never ended: nothing to answer.
            mode = .closed
            buffer = nil
            context.close(promise: nil)
        case .handingOver, .connecting:
            // Passed on once Hummingbird's pipeline, or the upstream, is in place.
            break
        case .exchanging:
            clientRequestsEnded(context: context)
        case .piping:
            _ = splice.inputEnded()
            finishUpstream()
        case .passthrough, .closed:
            break
        }
    }

    /// No request follows: the ones sent are answered, then the connection ends. A request whose
    /// head was cut off was never sent; one cut off inside its body cannot complete, so the origin
    /// gets the end too.
    private func clientRequestsEnded(context: ChannelHandlerContext) {
        // An upgrade's answer comes first: a 101 pipes (and passes the end on), a refusal comes back here.
        guard !awaitingUpgrade else { return }
        if requests.isInsideBody { finishUpstream() }
        _ = requests.takeBuffered()
        lastRequestSent = true
        endIfAnswered(context: context)
    }

    private func authorize(context: ChannelHandlerContext, head: HTTPHead, route: TunnelIngressRouter.Route) {
        let credential = TunnelCredential.extract(head, target: head.startLine.1)
        let ingress = self.ingress
        let clientIP = context.channel.remoteAddress?.ipAddress ?? "unknown"
        // A tunnel looked up in the last seconds (or in use, so kept fresh) is admitted here, on the
        // loop; else off it.
        if let result = ingress.runtime.authorizeHTTPNow(route: route, credential: credential.kind) {
            authorized(result, head: head, route: route, credential: credential, clientIP: clientIP)
            return
        }
        let promise = context.eventLoop.makePromise(of: Result<TunnelHTTPGrant, TunnelIngressError>.self)
        promise.completeWithTask {
            await ingress.runtime.authorizeHTTP(route: route, credential: credential.kind)
        }
        promise.futureResult.assumeIsolated().whenSuccess { result in
            self.authorized(result, head: head, route: route, credential: credential, clientIP: clientIP)
        }
    }

    private func authorized(
        _ result: Result<TunnelHTTPGrant, TunnelIngressError>, head: HTTPHead, route: TunnelIngressRouter.Route,
        credential: TunnelCredential, clientIP: String
    ) {
        guard mode == .connecting, let context else { return }
        switch result {
        case .failure(let error):
            fail(context: context, error)
        case .success(let grant):
            if credential.fromQuery, case .tunnelToken(let token) = credential.kind, !grant.tunnel.isPublic,
                head.startLine.0 == "GET" || head.startLine.0 == "HEAD"
            {
                // A target starting with `//` would be read as another host's URL: made absolute on this one.
                var location = credential.target
                if location.utf8.starts(with: "//".utf8), let host = head.first("host") { location = "\(ingress.scheme)://\(host)\(location)" }
                redirectWithCookie(context: context, grant: grant, token: token, location: location)
                return
            }
            var rewriter = TunnelHTTPRewriter(
                localPort: grant.tunnel.localPort, preserveHost: grant.tunnel.hostHeaderMode == "preserve",
                pathPrefix: grant.pathPrefix, scheme: ingress.scheme, clientIP: clientIP,
                keepsForwardedFor: ingress.trustedProxies.contains { $0.contains(clientIP) })
            rewriter.publicHost = head.first("host").flatMap { $0.isEmpty ? nil : $0 }
            do {
                // Checked now so a bad first request is a 400 before any upstream work; it is
                // rewritten again (with the others) once the stream is attached.
                _ = try rewriter.request(head, credential: credential, target: Self.forwardTarget(route, credential))
            } catch {
                fail(context: context, Self.badRequest(error))
                return
            }
            self.rewriter = rewriter
            tunnelRoute = route
            self.clientIP = clientIP
            ingress.runtime.connect(
                grant: grant, protocol: "http", clientAddress: clientIP, client: TunnelSplicePeer(self, eventLoop: context.eventLoop),
                closeFuture: context.channel.closeFuture)
        }
    }

    /// A browser opened the tunnel with `?marionette_token=`: it gets the tunnel's cookie and a 303
    /// to the same URL without the token; its later requests carry the cookie (api.md §9.4).
    private func redirectWithCookie(context: ChannelHandlerContext, grant: TunnelHTTPGrant, token: String, location: String) {
        mode = .closed
        buffer = nil
        let now = ingress.runtime.store.clock.now()
        answerAndClose(
            context: context,
            TunnelHTTPRewriter.cookieRedirect(
                location: location, tunnelID: grant.tunnel.id, token: token, pathPrefix: grant.pathPrefix,
                secure: ingress.scheme == "https", maxAgeSeconds: (grant.tunnel.expiresAt.milliseconds - now.milliseconds) / 1000))
    }

    /// The target to forward: the path form's rest (prefix and query token removed), else the
    /// target without its query token.
    private static func forwardTarget(_ route: TunnelIngressRouter.Route, _ credential: TunnelCredential) -> String {
        if case .path(_, let forward) = route { return TunnelCredential.removeQueryToken(forward).0 }
        return credential.target
    }

    private static func badRequest(_ error: any Error) -> TunnelIngressError {
        var message = "invalid request"
        if case .badRequest(let reason)? = error as? TunnelHTTPRewriter.Failure { message = reason }
        if case .invalidHead(true)? = error as? HTTPMessageSplitter.Failure {
            return TunnelIngressError(status: 431, code: "headers_too_large", message: "the request head is over 64 KiB")
        }
        if error is HTTPMessageSplitter.Failure { message = "malformed request framing" }
        return TunnelIngressError(status: 400, code: "invalid_request", message: message)
    }

    /// Same tunnel, same form: later requests on the connection may reuse its upstream.
    private func isConnectionTunnel(_ route: TunnelIngressRouter.Route) -> Bool {
        switch (route, tunnelRoute) {
        case (.path(let id, _), .path(let current, _)?): return id == current
        case (.subdomain(let label), .subdomain(let current)?): return label == current
        default: return false
        }
    }

    // MARK: requests (client → origin)

    private func forwardRequests(context: ChannelHandlerContext) {
        // `peer` and `rewriter` are used in place: binding copies would retain their fields per call.
        guard mode == .exchanging, peer != nil, rewriter != nil else { return }
        do {
            while !awaitingUpgrade, let part = try requests.next() {
                switch part {
                case .head(let head):
                    let route = ingress.router.route(target: head.startLine.1, host: head.first("host"))
                    guard !lastRequestSent, isConnectionTunnel(route) else {
                        // Another destination (or bytes after a request that closes): not on this
                        // connection. It ends once the requests sent are answered.
                        _ = requests.takeBuffered()
                        lastRequestSent = true
                        endIfAnswered(context: context)
                        return
                    }
                    let credential = TunnelCredential.extract(head, target: head.startLine.1)
                    let request = try rewriter!.request(head, credential: credential, target: Self.forwardTarget(route, credential))
                    pending.append(
                        Pending(
                            method: head.startLine.0, keepAlive: request.keepAlive, isUpgrade: request.isUpgrade,
                            sentAt: .now))
                    if !request.keepAlive { lastRequestSent = true }
                    if request.isUpgrade {
                        // Its answer is due from now: nothing more is read until it comes.
                        awaitingUpgrade = true
                        pending[pending.count - 1].sentWhole = true
                        if pending.count == 1, !responseOpen { startAwaitingHead(context: context) }
                    }
                    peer!.send(request.head)
                    requests.expectBody(.request(head))
                case .body(let bytes):
                    peer!.send(bytes)
                case .end:
                    // The last request sent; already answered (and every one before it) when none is pending.
                    guard !pending.isEmpty, !pending[pending.count - 1].sentWhole else { break }
                    pending[pending.count - 1].sentWhole = true
                    if pending.count == 1, !responseOpen { startAwaitingHead(context: context) }
                }
            }
        } catch {
            // A bad request after others: answered in turn, then the connection ends.
            _ = requests.takeBuffered()
            lastRequestSent = true
            deferredError = Self.badRequest(error)
            endIfAnswered(context: context)
        }
    }

    // MARK: response head timeouts

    /// The oldest pending request went upstream whole: its response head is due within the
    /// timeout (the upgrade timeout for an upgrade).
    private func startAwaitingHead(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        awaitingHeadSince = now
        if headCheck == nil { scheduleHeadCheck(context: context, at: now + headTimeout) }
    }

    private var headTimeout: TimeAmount {
        pending.first?.isUpgrade == true ? ingress.upgradeTimeout : ingress.responseHeaderTimeout
    }

    private func scheduleHeadCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        headCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.headCheck = nil
            self.checkHead(context: context)
        }
    }

    /// A request still without its response head after the timeout: the client gets 504 and the
    /// origin's connection is reset.
    private func checkHead(context: ChannelHandlerContext) {
        guard mode == .exchanging, let since = awaitingHeadSince, let current = pending.first else { return }
        let timeout = headTimeout
        let now = context.eventLoop.now
        guard now - since >= timeout else {
            scheduleHeadCheck(context: context, at: since + timeout)
            return
        }
        awaitingHeadSince = nil
        let seconds = timeout.nanoseconds / 1_000_000_000
        let message = current.isUpgrade
            ? "the origin did not answer the upgrade request within \(seconds) s"
            : "the origin sent no response headers within \(seconds) s"
        if splice.abort() { peer?.abort(.reset) }
        fail(context: context, TunnelIngressError(status: 504, code: "gateway_timeout", message: message))
    }

    // MARK: responses (origin → client)

    private func forwardResponses(context: ChannelHandlerContext) {
        guard rewriter != nil else { return }
        do {
            responseLoop: while mode == .exchanging, let part = try responses.next() {
                switch part {
                case .head(let head):
                    guard let current = pending.first else {
                        throw TunnelIngressError(status: 502, code: "bad_gateway", message: "the origin answered a request it was not sent")
                    }
                    // An answer began (a 1xx too: an upload waits for its body after `100 Continue`).
                    awaitingHeadSince = nil
                    let status = Int(head.startLine.1) ?? 0
                    if status == 101 {
                        guard current.isUpgrade else {
                            throw TunnelIngressError(status: 502, code: "bad_gateway", message: "the origin switched protocols unasked")
                        }
                        ingress.runtime.metrics.request(status: status, duration: current.sentAt.duration(to: .now))
                        startPiping(context: context, head: rewriter!.response(head))
                        return
                    }
                    if (100..<200).contains(status) {
                        informational = true
                        // The final head is due next, from now once the request has gone whole.
                        if current.sentWhole { startAwaitingHead(context: context) }
                        queue(head: rewriter!.response(head))
                        responses.expectBody(.none)
                        continue
                    }
                    if current.isUpgrade { awaitingUpgrade = false }
                    let kind = HTTPBodyFramer.Kind.response(head, method: current.method)
                    let originKeepsAlive = TunnelHTTPRewriter.keepsAlive(version: head.startLine.0, head)
                    responseKeepAlive =
                        current.keepAlive && originKeepsAlive && kind != .untilClose && !(lastRequestSent && pending.count == 1)
                    responseOpen = true
                    responseStatus = status
                    var bodyRoom = 0
                    if case .length(let length) = kind, length <= Self.coalesceLimit { bodyRoom = Int(length) }
                    queue(head: rewriter!.response(head, keepAlive: responseKeepAlive, reserving: bodyRoom))
                    responses.expectBody(kind)
                case .body(let bytes):
                    queue(context: context, body: bytes)
                case .end:
                    if informational {
                        informational = false
                        continue
                    }
                    responseOpen = false
                    let answered = pending.removeFirst()
                    ingress.runtime.metrics.request(status: responseStatus, duration: answered.sentAt.duration(to: .now))
                    // A pipelined request sent whole meanwhile waits for its head from now on.
                    if pending.first?.sentWhole == true { startAwaitingHead(context: context) }
                    if !responseKeepAlive {
                        finishClient(context: context)
                        break responseLoop
                    }
                    if lastRequestSent, pending.isEmpty {
                        endIfAnswered(context: context)
                        break responseLoop
                    }
                }
            }
        } catch {
            let failure = error as? TunnelIngressError
                ?? TunnelIngressError(status: 502, code: "bad_gateway", message: "the origin sent an invalid response")
            if splice.abort() { peer?.abort(.reset) }
            fail(context: context, failure)
            return
        }
        sendQueued(context: context)
        if flushPending {
            flushPending = false
            context.flush()
        }
        // A refused upgrade releases the client's bytes held behind it.
        if mode == .exchanging, !awaitingUpgrade {
            forwardRequests(context: context)
            if clientEnded, !lastRequestSent {
                clientRequestsEnded(context: context)
            } else {
                releaseClientRead(context: context)
            }
        }
    }

    private func queue(head: ByteBuffer) {
        flushPending = true
        if outgoing == nil { outgoing = head } else { outgoing!.writeImmutableBuffer(head) }
    }

    private func queue(context: ChannelHandlerContext, body: ByteBuffer) {
        flushPending = true
        if outgoing != nil, body.readableBytes <= Self.coalesceLimit {
            outgoing!.writeImmutableBuffer(body)
        } else {
            sendQueued(context: context)
            context.write(wrapOutboundOut(body), promise: nil)
        }
    }

    /// Writes what ``queue(head:)`` gathered (unflushed); every other write goes after it.
    private func sendQueued(context: ChannelHandlerContext) {
        guard let bytes = outgoing else { return }
        outgoing = nil
        context.write(wrapOutboundOut(bytes), promise: nil)
    }

    /// A 101: from now on bytes are raw both ways, the ones already read included.
    private func startPiping(context: ChannelHandlerContext, head: ByteBuffer) {
        mode = .piping
        awaitingUpgrade = false
        responseOpen = true
        queue(head: head)
        sendQueued(context: context)
        if let rest = responses.takeBuffered() { context.write(wrapOutboundOut(rest), promise: nil) }
        flushPending = false
        context.flush()
        if let rest = requests.takeBuffered() { peer?.send(rest) }
        if clientEnded {
            _ = splice.inputEnded()
            finishUpstream()
            return
        }
        releaseClientRead(context: context)
    }

    private func releaseClientRead(context: ChannelHandlerContext) {
        guard clientReadPending else { return }
        clientReadPending = false
        if splice.readRequested() { context.read() }
    }

    /// With every request sent answered, a connection that takes no more ends (with the deferred
    /// error answered first, if any).
    private func endIfAnswered(context: ChannelHandlerContext) {
        guard lastRequestSent, pending.isEmpty, !responseOpen, mode == .exchanging else { return }
        if let deferredError {
            finishUpstream()
            fail(context: context, deferredError)
        } else {
            finishClient(context: context)
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: TunnelIngressError) {
        sendQueued(context: context)
        let answerable = !responseOpen && mode != .piping
        mode = .closed
        buffer = nil
        guard answerable else {
            if splice.abort() { peer?.abort(.reset) }
            context.close(promise: nil)
            return
        }
        finishUpstream()
        responseOpen = true
        answerAndClose(
            context: context,
            TunnelHTTPRewriter.errorResponse(status: error.status, code: error.code, message: error.message, extraHeaders: error.headers))
    }

    /// Marionette's own answer (an error, the cookie redirect), then the connection closes.
    private func answerAndClose(context: ChannelHandlerContext, _ text: String) {
        var bytes = context.channel.allocator.buffer(capacity: text.utf8.count)
        bytes.writeString(text)
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// The client connection ends cleanly: the origin's side gets END_STREAM (it closes its
    /// connection in turn) and the client its FIN after the last bytes.
    private func finishClient(context: ChannelHandlerContext) {
        sendQueued(context: context)
        mode = .closed
        finishUpstream()
        _ = splice.outputEnded()
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func finishUpstream() {
        guard let peer, !upstreamFinished, !splice.aborted else { return }
        upstreamFinished = true
        peer.finish()
    }

    // MARK: splice (the upstream stream)

    func spliceAttached(to peer: TunnelSplicePeer) {
        guard let context, mode == .connecting else {
            peer.abort(.reset)
            return
        }
        self.peer = peer
        mode = .exchanging
        if let held = buffer {
            buffer = nil
            requests.append(held)
        }
        forwardRequests(context: context)
        if !context.channel.isWritable { peer.writabilityChanged(false) }
        if clientEnded {
            _ = splice.attach()
            clientRequestsEnded(context: context)
            return
        }
        var read = splice.attach()
        if clientReadPending, !awaitingUpgrade {
            clientReadPending = false
            read = splice.readRequested() || read
        }
        if read { context.read() }
    }

    func spliceReceived(_ bytes: ByteBuffer) {
        guard let context else { return }
        switch mode {
        case .piping:
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .exchanging:
            responses.append(bytes)
            forwardResponses(context: context)
        default:
            break
        }
    }

    func spliceFinished() {
        upstreamFinished = true
        guard let context else { return }
        switch mode {
        case .piping:
            finishClient(context: context)
        case .exchanging:
            if responseOpen {
                if responses.bodyEndsAtClose {
                    responseOpen = false
                    finishClient(context: context)
                } else {
                    // The origin closed inside a response: the client must not take it as whole.
                    if splice.abort() { peer?.abort(.reset) }
                    mode = .closed
                    context.close(promise: nil)
                }
            } else if !pending.isEmpty {
                fail(context: context, TunnelIngressError(status: 502, code: "bad_gateway", message: "the origin closed the connection before answering"))
            } else {
                // The origin closed an idle keep-alive connection: so does the client's.
                finishClient(context: context)
            }
        default:
            break
        }
    }

    func spliceAborted(_ reason: TunnelAbort) {
        // Not while this end is aborting already: resetting the peer below calls back here at once
        // when both share an event loop, and that reset must not answer before `reason` does.
        guard let context, !splice.aborted, mode == .connecting || mode == .exchanging || mode == .piping else { return }
        if splice.abort() { peer?.abort(.reset) }
        switch reason {
        case .tunnelEnded(let status, let code, let message):
            fail(context: context, TunnelIngressError(status: status, code: code, message: message))
        case .reset:
            if mode == .connecting || (!responseOpen && mode != .piping) {
                fail(context: context, TunnelIngressError(status: 502, code: "bad_gateway", message: "the connection to the origin failed"))
            } else {
                mode = .closed
                context.close(promise: nil)
            }
        }
    }

    func spliceQueueDrained() {
        guard let context, mode == .exchanging || mode == .piping else { return }
        peer?.writabilityChanged(context.channel.isWritable)
    }

    func splicePeerWritabilityChanged(_ writable: Bool) {
        guard let context, mode == .exchanging || mode == .piping else { return }
        guard splice.peerWritabilityChanged(writable) else { return }
        if awaitingUpgrade { clientReadPending = true } else { context.read() }
    }
}
