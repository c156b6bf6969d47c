import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Listener settings of the data connection server (`server.fabric_data`, runner-protocol.md §10).
public struct FabricDataServerConfiguration: Sendable {
    /// Address to bind. Loopback by default; h2c is only acceptable there (or with `--insecure-fabric`).
    public var host: String
    /// Port to bind; 0 picks a free one (see ``FabricDataServer/listeningAddress()``).
    public var port: Int
    /// TLS (h2) when set, h2c otherwise. Configure the context with `applicationProtocols = ["h2"]`; client
    /// certificate verification (mTLS) is part of the context.
    public var tls: NIOSSLContext?
    /// How long an accepted (runner ID, token) pair skips the authenticator on the same connection.
    public var authCacheTTL: Duration
    /// A connection that has not authenticated a stream within this time is closed.
    public var unauthenticatedConnectionTimeout: Duration
    /// The server PINGs each connection this often (streaming.md §7.8)...
    public var keepaliveInterval: Duration
    /// ... and closes one that does not answer within this time.
    public var keepaliveTimeout: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 9092,
        tls: NIOSSLContext? = nil,
        authCacheTTL: Duration = .seconds(30),
        unauthenticatedConnectionTimeout: Duration = .seconds(30),
        keepaliveInterval: Duration = .seconds(15),
        keepaliveTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.authCacheTTL = authCacheTTL
        self.unauthenticatedConnectionTimeout = unauthenticatedConnectionTimeout
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveTimeout = keepaliveTimeout
    }
}

/// Errors of ``FabricDataServer``.
public enum FabricDataServerError: Error, Sendable, Hashable {
    /// ``FabricDataServer/run()`` was called twice.
    case alreadyRunning
    /// The server stopped (or never started listening) before ``FabricDataServer/listeningAddress()`` resolved.
    case notListening
}

/// The server end of the fabric data connection: an HTTP/2 listener (h2 or h2c) where runners open one stream
/// per proxied tunnel connection (runner-protocol.md §10).
///
/// Every stream is authenticated with `x-runner-id` / `x-runner-token`. `GET /v1/health` answers `200 ok`;
/// `POST /v1/tunnels/{tunnel_id}/connections/{connection_id}` goes to the ``FabricDataStreamHandler``;
/// anything else is 404. ``registry`` tracks which runners are connected.
///
/// Run it under structured concurrency or in a ServiceLifecycle `ServiceGroup`: ``run()`` returns when its task
/// is cancelled or a graceful shutdown is triggered, after closing the listener and every connection (GOAWAY
/// first). One instance runs once.
public final class FabricDataServer: Service, Sendable {
    public let configuration: FabricDataServerConfiguration
    /// Runners with an authenticated data connection to this server.
    public let registry: FabricDataRunnerRegistry

    private let shared: FabricDataServerShared
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(RunState())

    private struct RunState {
        enum Phase {
            case initial
            case starting
            case listening(SocketAddress)
            case stopped
        }

        var phase = Phase.initial
        var waiters: [CheckedContinuation<SocketAddress, any Error>] = []
        var connections: [ObjectIdentifier: any Channel] = [:]
        var acceptingConnections = true
    }

    /// - Parameters:
    ///   - authenticator: checks a runner's credentials; positive answers are cached per connection.
    ///   - streamHandler: decides about tunnel connection streams (default: 404).
    public init(
        configuration: FabricDataServerConfiguration = FabricDataServerConfiguration(),
        authenticator: @escaping FabricDataAuthenticator,
        streamHandler: any FabricDataStreamHandler = FabricDataNotFoundStreamHandler(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "marionette.fabric.data.server")
    ) {
        self.configuration = configuration
        self.registry = FabricDataRunnerRegistry()
        self.group = eventLoopGroup
        self.logger = logger
        self.shared = FabricDataServerShared(
            authenticator: authenticator,
            streamHandler: streamHandler,
            registry: self.registry,
            authCacheTTL: TimeAmount(configuration.authCacheTTL),
            logger: logger
        )
    }

    /// Whether `runnerID` has an authenticated data connection.
    public func isConnected(runnerID: String) -> Bool {
        self.registry.isConnected(runnerID: runnerID)
    }

    /// Runner connect/disconnect events from now on.
    public func runnerEvents() -> AsyncStream<FabricDataRunnerEvent> {
        self.registry.events()
    }

    /// The bound address, once ``run()`` is listening. Throws ``FabricDataServerError/notListening`` if the server
    /// stops (or fails to bind) first.
    public func listeningAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<SocketAddress, any Error>? = self.state.withLockedValue { state in
                switch state.phase {
                case .listening(let address): return .success(address)
                case .stopped: return .failure(FabricDataServerError.notListening)
                case .initial, .starting:
                    state.waiters.append(continuation)
                    return nil
                }
            }
            if let result {
                continuation.resume(with: result)
            }
        }
    }

    /// Binds, serves until cancelled (or graceful shutdown), then closes the listener and all connections.
    public func run() async throws {
        let alreadyStarted = self.state.withLockedValue { state in
            guard case .initial = state.phase else { return true }
            state.phase = .starting
            return false
        }
        if alreadyStarted {
            throw FabricDataServerError.alreadyRunning
        }

        let serverChannel: any Channel
        do {
            serverChannel = try await self.bootstrap().bind(host: self.configuration.host, port: self.configuration.port).get()
        } catch {
            self.finishStopped()
            throw error
        }
        let address = serverChannel.localAddress
        let waiters = self.state.withLockedValue { state in
            if let address {
                state.phase = .listening(address)
            }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        if let address {
            for waiter in waiters { waiter.resume(returning: address) }
        }
        self.logger.info("fabric data server listening", metadata: ["address": "\(address.map { "\($0)" } ?? "?")"])

        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await serverChannel.closeFuture.get()
            } onGracefulShutdown: {
                serverChannel.close(promise: nil)
            }
        } onCancel: {
            serverChannel.close(promise: nil)
        }
        try? await serverChannel.close()
        await self.closeConnections()
        self.finishStopped()
        self.logger.info("fabric data server stopped")
    }

    private func finishStopped() {
        let waiters = self.state.withLockedValue { state in
            state.phase = .stopped
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(throwing: FabricDataServerError.notListening) }
    }

    /// Sends GOAWAY on every connection, closes it and waits for the close.
    private func closeConnections() async {
        let connections = self.state.withLockedValue { state in
            state.acceptingConnections = false
            return Array(state.connections.values)
        }
        for connection in connections {
            let goAway = HTTP2Frame(
                streamID: .rootStream,
                payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil)
            )
            connection.writeAndFlush(goAway).whenComplete { _ in
                connection.close(promise: nil)
            }
        }
        for connection in connections {
            try? await connection.closeFuture.get()
        }
    }

    private func bootstrap() -> ServerBootstrap {
        let shared = self.shared
        let tls = self.configuration.tls
        let unauthenticatedTimeout = TimeAmount(self.configuration.unauthenticatedConnectionTimeout)
        let keepalive = (TimeAmount(self.configuration.keepaliveInterval), TimeAmount(self.configuration.keepaliveTimeout))
        return ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.recvAllocator, value: FabricDataSettings.receiveAllocator)
            .childChannelOption(.writeBufferWaterMark, value: FabricDataSettings.socketWriteWaterMark)
            .childChannelInitializer { [weak self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let self, self.track(channel) else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    try Self.configure(
                        channel: channel,
                        tls: tls,
                        shared: shared,
                        unauthenticatedTimeout: unauthenticatedTimeout,
                        keepalive: keepalive
                    )
                }
            }
    }

    /// Remembers a connection until it closes; false once shutting down.
    private func track(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let accepted = self.state.withLockedValue { state in
            guard state.acceptingConnections else { return false }
            state.connections[id] = channel
            return true
        }
        if accepted {
            channel.closeFuture.whenComplete { _ in
                _ = self.state.withLockedValue { $0.connections.removeValue(forKey: id) }
            }
        }
        return accepted
    }

    private static func configure(
        channel: any Channel,
        tls: NIOSSLContext?,
        shared: FabricDataServerShared,
        unauthenticatedTimeout: TimeAmount,
        keepalive: (interval: TimeAmount, timeout: TimeAmount)
    ) throws {
        let sync = channel.pipeline.syncOperations
        if let tls {
            try sync.addHandler(NIOSSLServerHandler(context: tls))
        }
        try sync.addHandler(FabricDataFlushCoalescer())
        let connection = FabricDataServerConnectionState(channel: channel, shared: shared)
        let boundConnection = NIOLoopBound(connection, eventLoop: channel.eventLoop)
        _ = try sync.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: FabricDataSettings.connectionConfiguration,
            streamConfiguration: FabricDataSettings.streamConfiguration
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(FabricDataServerStreamRouter(connection: boundConnection.value))
            }
        }
        try sync.addHandler(FabricDataKeepalive(interval: keepalive.interval, timeout: keepalive.timeout, logger: shared.logger))
        try sync.addHandler(FabricDataConnectionObserver(logger: shared.logger, recorder: nil))
        connection.unauthenticatedTimeout = channel.eventLoop.scheduleTask(in: unauthenticatedTimeout) {
            if boundConnection.value.runnerID == nil {
                shared.logger.info("closing data connection: no authenticated stream in time")
                channel.close(promise: nil)
            }
        }
        channel.closeFuture.whenComplete { _ in
            boundConnection.value.unauthenticatedTimeout?.cancel()
        }
    }
}

/// Last handler of a data connection's pipeline. Records and logs connection-level errors (NIOHTTP2 reports
/// stream errors here too, so errors alone do not close the connection) and closes the connection when the peer
/// tears it down with GOAWAY carrying an error (e.g. FLOW_CONTROL_ERROR after `InvalidFlowControlWindowSize`).
/// A graceful GOAWAY (NO_ERROR) is reported to `onGoAway`.
final class FabricDataConnectionObserver: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    private let logger: Logger
    private let recorder: NIOLockedValueBox<(any Error)?>?
    private let onGoAway: ((HTTP2ErrorCode) -> Void)?

    init(logger: Logger, recorder: NIOLockedValueBox<(any Error)?>?, onGoAway: ((HTTP2ErrorCode) -> Void)? = nil) {
        self.logger = logger
        self.recorder = recorder
        self.onGoAway = onGoAway
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Root-stream frames (SETTINGS, PING, GOAWAY, WINDOW_UPDATE) and PRIORITY end up here.
        let frame = self.unwrapInboundIn(data)
        guard case .goAway(_, let code, _) = frame.payload else { return }
        if code == .noError {
            self.logger.debug("data connection: peer sent GOAWAY")
        } else {
            self.logger.warning("data connection: peer sent GOAWAY", metadata: ["code": "\(code)"])
            self.record(FabricDataError.peerWentAway(code))
        }
        self.onGoAway?(code)
        if code != .noError {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.record(error)
        if error is NIOSSLError || error is IOError || error is ChannelError {
            self.logger.debug("data connection error", metadata: ["error": "\(error)"])
        } else {
            self.logger.warning("data connection error", metadata: ["error": "\(error)"])
        }
    }

    private func record(_ error: any Error) {
        self.recorder?.withLockedValue { recorded in
            if recorded == nil { recorded = error }
        }
    }
}
