import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The public listener: the API and, when `tunnels.enabled`, the tunnel ingress in front of it on
/// the same port (api.md §1, streaming.md §7.2).
///
/// Run here instead of by Hummingbird's `Server`, which hands every accepted connection through an
/// async sequence to a Swift task of its own before anything is known about it: two event-loop
/// hops and two or three thread wake-ups per connection, on the path of every new tunnel
/// connection. Here a connection is set up on its event loop; only a connection whose first
/// request is for the API gets a task, which runs Hummingbird's HTTP/1.1 channel (WebSocket
/// upgrades included) with the same router as before. A tunnel connection lives in its handlers.
///
/// Graceful shutdown: the listener closes, every open connection is asked to quiesce (an API
/// connection finishes its request, a tunnel connection its exchange), and `run` returns once all
/// have closed (the service group cancels it after its grace period).
public final class PublicServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// HTTPS when set.
        public var tls: TLSConfiguration?
        /// The `Server` response header of API responses.
        public var serverName: String?
        public var backlog = 256

        public init(host: String, port: Int, tls: TLSConfiguration? = nil, serverName: String? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
            self.serverName = serverName
        }
    }

    /// An API connection with Hummingbird's pipeline being installed.
    private struct APIConnection: Sendable {
        let channel: any Channel
        let value: EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value>
    }

    /// The open connections and where the server is in its life.
    private struct Registry {
        enum Phase {
            case starting
            /// Accepting connections.
            case listening
            /// Waiting for the API connections to close; `drained` completes when the last one did.
            case quiescing(drained: EventLoopPromise<Void>)
            case stopped
        }

        var phase = Phase.starting
        var open: [ObjectIdentifier: any Channel] = [:]
        /// The open connections that serve the API: shutdown waits for these. Tunnel connections
        /// are asked to quiesce too, but not waited for (a proxied WebSocket or event stream would
        /// hold the shutdown for its whole grace period); they are closed when `run` returns.
        var api = Set<ObjectIdentifier>()

        /// The promise to complete when a quiescing server has no API connection left.
        mutating func drainedIfIdle() -> EventLoopPromise<Void>? {
            guard case .quiescing(let drained) = phase, api.isEmpty else { return nil }
            phase = .stopped
            return drained
        }
    }

    private let configuration: Configuration
    private let http: HTTP1WebSocketUpgradeChannel
    private let ingress: TunnelIngress?
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) -> Void
    private let registry = Mutex(Registry())

    /// `http` serves the API connections (``GatewayBuilder/publicHTTPChannel(_:responder:)``, with
    /// ``responder(_:serverName:logger:)``); `ingress` takes tunnel connections first (nil: every
    /// connection is an API connection).
    init(
        configuration: Configuration, http: HTTP1WebSocketUpgradeChannel, ingress: TunnelIngress?, logger: Logger,
        onListening: @escaping @Sendable (SocketAddress) -> Void
    ) {
        self.configuration = configuration
        self.http = http
        self.ingress = ingress
        self.logger = logger
        self.onListening = onListening
    }

    /// Hummingbird's per-request work as its `Application` does it: a request context with the
    /// request's logger, the router's answer (an unexpected error is a bare 500), then the `Date`
    /// and `Server` headers.
    static func responder(
        _ router: Router<APIContext>, serverName: String?, logger: Logger
    ) -> HTTPChannelHandler.Responder {
        let responder = router.buildResponder()
        let dates = HTTPDateHeader()
        return { request, writer, channel in
            var requestLogger = logger
            requestLogger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
            let context = APIContext(source: .init(channel: channel, logger: requestLogger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                // A malformed request: the channel closes the connection rather than answer it.
                throw error
            } catch {
                requestLogger.debug("unhandled error", metadata: ["error.type": "\(error)"])
                response = Response(status: .internalServerError, body: .init())
            }
            response.headers[.date] = dates.now
            if let serverName { response.headers[.server] = serverName }
            do {
                try await writer.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                // Not the parser error itself: the channel would answer it with a 400 after this
                // response's head.
                throw ParseErrorWhileWritingResponse()
            }
        }
    }

    private struct ParseErrorWhileWritingResponse: Error {}

    public func run() async throws {
        let ssl = try configuration.tls.map { try NIOSSLContext(configuration: $0) }
        let (apiConnections, handOver) = AsyncStream<APIConnection>.makeStream()
        // Accepting from the first connection on (the listener may take one before `bind` returns).
        registry.withLock { $0.phase = .listening }
        let listener = try await bind(ssl: ssl, handOver: handOver)
        if let address = listener.localAddress { onListening(address) }
        let http = self.http
        let logger = self.logger
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // Ends when the connections have drained after a shutdown, or on cancellation.
                for await connection in apiConnections {
                    group.addTask {
                        guard let value = try? await connection.value.get() else {
                            // Closed while Hummingbird's handlers were added.
                            connection.channel.close(promise: nil)
                            return
                        }
                        await http.handle(value: value, logger: logger)
                    }
                }
            }
        } onGracefulShutdown: {
            self.quiesce(listener: listener, handOver: handOver)
        }
        // Drained, or cancelled after the grace period: tunnel connections (and any API connection
        // still open) close now.
        handOver.finish()
        try? await listener.close()
        for channel in registry.withLock({ Array($0.open.values) }) { channel.close(promise: nil) }
    }

    private func bind(ssl: NIOSSLContext?, handOver: AsyncStream<APIConnection>.Continuation) async throws -> any Channel {
        let http = self.http
        let ingress = self.ingress
        let logger = self.logger
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: Int32(configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard track(channel) else {
                        // Accepted as the listener closed.
                        throw ChannelError.ioOnClosedChannel
                    }
                    let sync = channel.pipeline.syncOperations
                    if let ssl { try sync.addHandler(NIOSSLServerHandler(context: ssl)) }
                    guard let ingress else {
                        servesAPI(channel)
                        handOver.yield(APIConnection(channel: channel, value: http.setup(channel: channel, logger: logger)))
                        return
                    }
                    try sync.addHandler(
                        TunnelIngressHandler(ingress: ingress) { [self] channel, handler in
                            servesAPI(channel)
                            // Later in this loop pass (no thread wake-up), outside the ingress's read.
                            let handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                            channel.eventLoop.execute {
                                let value = http.setup(channel: channel, logger: logger).map { value in
                                    // Same pass: the bytes the ingress held reach the handlers just added.
                                    handler.value.apiPipelineInstalled()
                                    // Shutdown began before these handlers were there to hear of it.
                                    if self.isQuiescing { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
                                    return value
                                }
                                handOver.yield(APIConnection(channel: channel, value: value))
                            }
                        })
                }
            }
            .bind(host: configuration.host, port: configuration.port).get()
    }

    /// Keeps `channel` until it closes; false once the server is past listening.
    private func track(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let listening = registry.withLock { registry -> Bool in
            guard case .listening = registry.phase else { return false }
            registry.open[id] = channel
            return true
        }
        guard listening else { return false }
        channel.closeFuture.whenComplete { [self] _ in
            let drained = registry.withLock { registry -> EventLoopPromise<Void>? in
                registry.open.removeValue(forKey: id)
                registry.api.remove(id)
                return registry.drainedIfIdle()
            }
            drained?.succeed()
        }
        return true
    }

    private var isQuiescing: Bool {
        registry.withLock { registry in
            if case .listening = registry.phase { return false }
            return true
        }
    }

    /// `channel`'s first request is for the API: shutdown waits for it.
    private func servesAPI(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        registry.withLock { registry in
            if registry.open[id] != nil { registry.api.insert(id) }
        }
    }

    /// Stops accepting, asks every connection to finish, and ends `run`'s loop once the API
    /// connections have closed.
    private func quiesce(listener: any Channel, handOver: AsyncStream<APIConnection>.Continuation) {
        let drained = listener.eventLoop.makePromise(of: Void.self)
        let open = registry.withLock { registry -> [any Channel]? in
            guard case .listening = registry.phase else { return nil }
            registry.phase = .quiescing(drained: drained)
            return Array(registry.open.values)
        }
        guard let open else {
            drained.succeed()
            return
        }
        drained.futureResult.whenComplete { _ in handOver.finish() }
        listener.close(promise: nil)
        for channel in open {
            channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        }
        registry.withLock { $0.drainedIfIdle() }?.succeed()
    }
}
