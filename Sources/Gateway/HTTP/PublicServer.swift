import Core
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

#if canImport(Glibc)
import Glibc
#endif

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
/// With more than one event loop the port is a `SO_REUSEPORT` group of listeners, one per loop,
/// each accepting onto its own loop, so that ``TunnelAcceptSteering`` can send new connections to
/// the loop of the runner data connection tunnels are using (a plain bind first makes sure no
/// other process holds the port).
///
/// Graceful shutdown: the listeners close, every open connection is asked to quiesce (an API
/// connection finishes its request, a tunnel connection its exchange), and `run` returns once the
/// API connections have closed (or the service group cancels it after its grace period), closing
/// the tunnel connections left: a proxied WebSocket or event stream never ends by itself.
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
    private let steering: TunnelAcceptSteering?
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) -> Void
    private let registry = Mutex(Registry())

    /// `http` serves the API connections (with ``responder(_:serverName:logger:)``); `ingress` takes
    /// tunnel connections first (nil: every connection is an API connection), and `steering` gets
    /// the listeners.
    init(
        configuration: Configuration, http: HTTP1WebSocketUpgradeChannel, ingress: TunnelIngress?,
        steering: TunnelAcceptSteering?, group: MultiThreadedEventLoopGroup = .singleton, logger: Logger,
        onListening: @escaping @Sendable (SocketAddress) -> Void
    ) {
        self.configuration = configuration
        self.http = http
        self.ingress = ingress
        self.steering = steering
        self.group = group
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
        let listeners = try await bindGroup(ssl: ssl, handOver: handOver)
        steering?.install(listeners: listeners)
        if let address = listeners.first?.localAddress { onListening(address) }
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
            self.quiesce(listeners: listeners, handOver: handOver)
        }
        // Drained, or cancelled after the grace period: tunnel connections (and any API connection
        // still open) close now.
        handOver.finish()
        steering?.uninstall()
        for listener in listeners { try? await listener.close() }
        for channel in registry.withLock({ Array($0.open.values) }) { channel.close(promise: nil) }
    }

    /// One listener per event loop, in a `SO_REUSEPORT` group when there are several (listening in
    /// loop order, which is their index in the group).
    private func bindGroup(ssl: NIOSSLContext?, handOver: AsyncStream<APIConnection>.Continuation) async throws
        -> [any Channel]
    {
        let loops = Array(group.makeIterator())
        let shared = loops.count > 1
        if shared, configuration.port != 0 {
            // Members of a group share the port with any other socket that asks to: a port another
            // process holds must fail the start as it would without a group.
            try TCPPortProbe.requireFree(host: configuration.host, port: configuration.port)
        }
        var listeners: [any Channel] = []
        var port = configuration.port
        do {
            for loop in loops {
                let listener = try await bootstrap(on: loop, shared: shared, ssl: ssl, handOver: handOver)
                    .bind(host: configuration.host, port: port).get()
                listeners.append(listener)
                if port == 0 { port = listener.localAddress?.port ?? 0 }
            }
            if shared, configuration.port != 0, let address = listeners.first?.localAddress {
                try await Self.requireSoleGroup(address: address, members: listeners.count)
            }
        } catch {
            for listener in listeners { try? await listener.close() }
            throw error
        }
        return listeners
    }

    /// After the group bound: a process that passed ``TCPPortProbe/requireFree(host:port:)`` in the same instant
    /// and joined the group makes it larger than ours. Of two such servers at least one sees the
    /// other (each counts after its own binds) and fails as an ordinary bind would.
    static func requireSoleGroup(address: SocketAddress, members: Int) async throws {
        guard let ip = address.ipAddress, let port = address.port,
            let found = await ProcNetSockets.strangers(.tcp, ipAddress: ip, port: port, expected: members)
        else { return }
        throw IOError(
            errnoCode: EADDRINUSE,
            reason: "bind \(ip):\(port) (another process listens on it too: \(found.count) sockets, \(members) ours; "
                + "socket inodes \(found.joined(separator: " ")))")
    }

    private func bootstrap(
        on loop: any EventLoop, shared: Bool, ssl: NIOSSLContext?, handOver: AsyncStream<APIConnection>.Continuation
    ) -> ServerBootstrap {
        let http = self.http
        let ingress = self.ingress
        let logger = self.logger
        return ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: Int32(configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: shared ? 1 : 0)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard track(channel) else {
                        // Accepted as the listeners closed.
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
    private func quiesce(listeners: [any Channel], handOver: AsyncStream<APIConnection>.Continuation) {
        let drained = group.next().makePromise(of: Void.self)
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
        steering?.uninstall()
        for listener in listeners { listener.close(promise: nil) }
        for channel in open {
            channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        }
        registry.withLock { $0.drainedIfIdle() }?.succeed()
    }
}
