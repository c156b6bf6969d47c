import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL

/// Where and how the agent dials the server's data connection (runner-protocol.md §10.1).
public struct FabricDataClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Sent as `x-runner-id` on every stream.
    public var runnerID: String
    /// Sent as `x-runner-token` on every stream (HPACK never-indexed).
    public var token: String
    /// TLS (h2) when set, h2c otherwise. Configure the context with `applicationProtocols = ["h2"]` and, for
    /// mTLS, the runner's certificate.
    public var tls: NIOSSLContext?
    /// TLS server name (SNI and certificate check); `nil` uses `host` unless it is an IP address.
    public var serverHostname: String?
    public var connectTimeout: Duration
    /// ``FabricDataClient`` probes `GET /v1/health` this often on an idle or busy connection...
    public var healthInterval: Duration
    /// ... and reconnects when a probe takes longer than this or fails.
    public var healthTimeout: Duration
    /// Delay between reconnect attempts.
    public var backoff: FabricReconnectBackoff

    public init(
        host: String,
        port: Int,
        runnerID: String,
        token: String,
        tls: NIOSSLContext? = nil,
        serverHostname: String? = nil,
        connectTimeout: Duration = .seconds(5),
        healthInterval: Duration = .seconds(15),
        healthTimeout: Duration = .seconds(10),
        backoff: FabricReconnectBackoff = FabricReconnectBackoff()
    ) {
        self.host = host
        self.port = port
        self.runnerID = runnerID
        self.token = token
        self.tls = tls
        self.serverHostname = serverHostname
        self.connectTimeout = connectTimeout
        self.healthInterval = healthInterval
        self.healthTimeout = healthTimeout
        self.backoff = backoff
    }

    var effectiveServerHostname: String? {
        if let serverHostname { return serverHostname }
        // SNI must not carry IP literals.
        if (try? SocketAddress(ipAddress: self.host, port: 0)) != nil { return nil }
        return self.host
    }

    var authority: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}

/// The `:status` and headers of a response on a data stream.
public struct FabricDataResponseHead: Sendable, Hashable {
    public var status: Int
    /// All response headers, `:status` included.
    public var headers: HPACKHeaders
    /// Whether the response ended with its headers (no body).
    public var endStream: Bool

    public init(status: Int, headers: HPACKHeaders, endStream: Bool) {
        self.status = status
        self.headers = headers
        self.endStream = endStream
    }
}

/// A stream opened on a data connection.
///
/// The stream channel's pipeline starts with a small handler that wrote the request headers and consumes the
/// response head (delivered through ``response``); the handlers added by `configure` then see only
/// `HTTP2Frame.FramePayload` DATA frames (and trailers). A response that ends with its headers reaches them as
/// an empty DATA frame with END_STREAM, so "DATA with endStream" is the one end-of-input signal.
public struct FabricDataStream: Sendable {
    /// The HTTP/2 stream channel (in/out: `HTTP2Frame.FramePayload`). Closing it resets the stream (CANCEL)
    /// unless both directions have ended.
    public let channel: any Channel
    /// Completes with the final response head; fails with ``FabricDataError/streamClosed`` if the stream closes
    /// before one arrives.
    public let response: EventLoopFuture<FabricDataResponseHead>

    public init(channel: any Channel, response: EventLoopFuture<FabricDataResponseHead>) {
        self.channel = channel
        self.response = response
    }
}

/// One established client-side data connection: an HTTP/2 connection with the fabric's settings on which
/// streams are opened. ``FabricDataClient`` keeps one of these up; tests and tools can use it directly.
public final class FabricDataConnection: Sendable {
    /// The HTTP/2 connection (TCP or TLS) channel.
    public let channel: any Channel
    public let configuration: FabricDataClientConfiguration
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    private let firstErrorBox: NIOLockedValueBox<(any Error)?>

    private init(
        channel: any Channel,
        multiplexer: NIOHTTP2Handler.StreamMultiplexer,
        configuration: FabricDataClientConfiguration,
        firstError: NIOLockedValueBox<(any Error)?>
    ) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.configuration = configuration
        self.firstErrorBox = firstError
    }

    /// Dials the server and sets up HTTP/2 (no request is made; see ``checkHealth(timeout:)``).
    public static func connect(
        configuration: FabricDataClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "marionette.fabric.data.client")
    ) async throws -> FabricDataConnection {
        let firstError = NIOLockedValueBox<(any Error)?>(nil)
        let tls = configuration.tls
        let serverHostname = configuration.effectiveServerHostname
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelOption(.recvAllocator, value: FabricDataSettings.receiveAllocator)
            .channelOption(.writeBufferWaterMark, value: FabricDataSettings.socketWriteWaterMark)
        let (channel, multiplexer) = try await bootstrap.connect(host: configuration.host, port: configuration.port) {
            channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                if let tls {
                    try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                }
                try sync.addHandler(FabricDataFlushCoalescer())
                let multiplexer = try sync.configureHTTP2Pipeline(
                    mode: .client,
                    connectionConfiguration: FabricDataSettings.connectionConfiguration,
                    streamConfiguration: FabricDataSettings.streamConfiguration
                ) { stream in
                    // The server never opens streams (push is off); refuse anything that shows up.
                    stream.close()
                }
                // Any GOAWAY ends this connection for the client: the reconnect loop opens a fresh one.
                try sync.addHandler(
                    FabricDataConnectionObserver(logger: logger, recorder: firstError) { _ in
                        channel.close(promise: nil)
                    }
                )
                return (channel, multiplexer)
            }
        }
        return FabricDataConnection(
            channel: channel,
            multiplexer: multiplexer,
            configuration: configuration,
            firstError: firstError
        )
    }

    /// Whether the connection is still open.
    public var isActive: Bool { self.channel.isActive }

    /// Completes when the connection has closed.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    /// The first connection-level error seen (e.g. `NIOHTTP2Errors.InvalidFlowControlWindowSize`, or
    /// ``FabricDataError/peerWentAway(_:)`` for a GOAWAY with an error code), if any.
    public var firstError: (any Error)? { self.firstErrorBox.withLockedValue { $0 } }

    /// Opens a stream: runs `configure` on the new stream channel (on its event loop, before anything is sent),
    /// then sends the request headers — `:method`, `:scheme`, `:authority`, `:path`, `x-runner-id`,
    /// `x-runner-token`, then `headers` (lowercase names, no pseudo-headers) — with END_STREAM if `endStream`.
    /// Request bytes are then written as `HTTP2Frame.FramePayload.data` on ``FabricDataStream/channel``.
    public func openStream(
        method: String = "POST",
        path: String,
        headers: HPACKHeaders = [:],
        endStream: Bool = false,
        configure: @escaping @Sendable (any Channel) throws -> Void = { _ in }
    ) async throws -> FabricDataStream {
        try await self.makeStream(method: method, path: path, headers: headers, endStream: endStream, configure: configure).get()
    }

    /// ``openStream(method:path:headers:endStream:configure:)`` as a future, for callers on event loops (a
    /// tunnel opens one stream per proxied connection, without a task hop).
    public func makeStream(
        method: String = "POST",
        path: String,
        headers: HPACKHeaders = [:],
        endStream: Bool = false,
        configure: @escaping @Sendable (any Channel) throws -> Void = { _ in }
    ) -> EventLoopFuture<FabricDataStream> {
        guard self.channel.isActive else {
            return self.channel.eventLoop.makeFailedFuture(FabricDataError.notConnected)
        }
        var request: HPACKHeaders = [
            ":method": method,
            ":scheme": self.configuration.tls == nil ? "http" : "https",
            ":authority": self.configuration.authority,
            ":path": path,
        ]
        request.add(name: FabricDataSettings.runnerIDHeader, value: self.configuration.runnerID)
        request.add(name: FabricDataSettings.runnerTokenHeader, value: self.configuration.token, indexing: .neverIndexed)
        request.add(contentsOf: headers)
        let requestHeaders = request
        let response = self.channel.eventLoop.makePromise(of: FabricDataResponseHead.self)
        let created = self.multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(
                    FabricDataClientStreamHead(request: requestHeaders, endStream: endStream, response: response)
                )
                try configure(stream)
            }
        }
        return created.map { FabricDataStream(channel: $0, response: response.futureResult) }
            .flatMapErrorThrowing { error in
                response.fail(error)
                throw error
            }
    }

    /// `GET /v1/health`: succeeds on `200` with body `ok`; throws ``FabricDataError/unexpectedStatus(_:)`` (401 for
    /// bad credentials), ``FabricDataError/timedOut`` or the stream's error otherwise.
    public func checkHealth(timeout: Duration) async throws {
        let body = self.channel.eventLoop.makePromise(of: ByteBuffer.self)
        let stream: FabricDataStream
        do {
            stream = try await self.openStream(method: "GET", path: FabricDataSettings.healthPath, endStream: true) {
                channel in
                try channel.pipeline.syncOperations.addHandler(FabricDataBodyCollector(limit: 1024, promise: body))
            }
        } catch {
            body.fail(error)
            throw error
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let head = try await stream.response.get()
                let content = try await body.futureResult.get()
                guard head.status == 200 else {
                    throw FabricDataError.unexpectedStatus(head.status)
                }
                guard content.readableBytesView.elementsEqual("ok".utf8) else {
                    throw FabricDataError.malformedResponse
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                stream.channel.close(promise: nil)
                throw FabricDataError.timedOut
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch {
                stream.channel.close(promise: nil)
                throw error
            }
        }
    }

    /// Closes the connection (every stream is reset) and waits for it to close.
    public func close() async {
        try? await self.channel.close()
        try? await self.channel.closeFuture.get()
    }
}

/// First handler of a client stream: writes the request headers on activation, then turns the response head
/// into a future and forwards everything after it.
final class FabricDataClientStreamHead: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let request: HPACKHeaders
    private let endStream: Bool
    private var response: EventLoopPromise<FabricDataResponseHead>?

    init(request: HPACKHeaders, endStream: Bool, response: EventLoopPromise<FabricDataResponseHead>) {
        self.request = request
        self.endStream = endStream
        self.response = response
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(
            self.wrapOutboundOut(.headers(.init(headers: self.request, endStream: self.endStream))),
            promise: nil
        )
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let promise = self.response else {
            context.fireChannelRead(data)
            return
        }
        guard case .headers(let headers) = self.unwrapInboundIn(data),
            let statusText = headers.headers.first(name: ":status"),
            let status = Int(statusText)
        else {
            self.response = nil
            promise.fail(FabricDataError.malformedResponse)
            context.close(promise: nil)
            return
        }
        if (100..<200).contains(status), !headers.endStream {
            return  // informational; the final head follows
        }
        self.response = nil
        promise.succeed(FabricDataResponseHead(status: status, headers: headers.headers, endStream: headers.endStream))
        if headers.endStream {
            let end = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))
            context.fireChannelRead(self.wrapInboundOut(end))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failResponse()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.failResponse()
    }

    private func failResponse() {
        if let promise = self.response {
            self.response = nil
            promise.fail(FabricDataError.streamClosed)
        }
    }
}

/// Collects a (small) response body and completes with it at END_STREAM.
final class FabricDataBodyCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload

    private let limit: Int
    private var body = ByteBuffer()
    private var promise: EventLoopPromise<ByteBuffer>?

    init(limit: Int, promise: EventLoopPromise<ByteBuffer>) {
        self.limit = limit
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard self.promise != nil else { return }
        switch self.unwrapInboundIn(data) {
        case .data(let frame):
            if case .byteBuffer(var bytes) = frame.data {
                guard self.body.readableBytes + bytes.readableBytes <= self.limit else {
                    self.complete(.failure(FabricDataError.malformedResponse))
                    context.close(promise: nil)
                    return
                }
                self.body.writeBuffer(&bytes)
            }
            if frame.endStream {
                self.complete(.success(self.body))
            }
        case .headers(let trailers) where trailers.endStream:
            self.complete(.success(self.body))
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.complete(.failure(FabricDataError.streamClosed))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.complete(.failure(FabricDataError.streamClosed))
    }

    private func complete(_ result: Result<ByteBuffer, any Error>) {
        if let promise = self.promise {
            self.promise = nil
            promise.completeWith(result)
        }
    }
}
