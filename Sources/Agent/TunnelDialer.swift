import Fabric
import Logging
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Synchronization

/// The runner side of tunnels (runner-protocol.md §10.3): it keeps ``standbyCount`` standby streams
/// open on the data connection (``FabricDataStandbyAssignment``) and, for each one the server answers
/// or each `OpenTunnelConnection`, dials `127.0.0.1:<port>` (then `[::1]`), never another host,
/// within `tunnels.dial_timeout`, on the data connection's event loop, and splices the local socket
/// to the stream (for a command, the stream `POST /v1/tunnels/{tid}/connections/{cid}` it opens). A
/// failed dial, or a port in `tunnels.blocked_ports`, is reported with `x-dial-error` and END_STREAM.
public final class TunnelDialer: Sendable {
    private let client = Mutex<FabricDataClient?>(nil)
    private let logger: Logger
    /// Dial timeout per address.
    public let dialTimeout: TimeAmount
    /// Ports never dialled, whatever the server asks.
    public let blockedPorts: TunnelBlockedPorts
    /// Standby streams kept open on each data connection.
    public let standbyCount: Int

    public init(
        logger: Logger, dialTimeout: TimeAmount = .seconds(5), blockedPorts: TunnelBlockedPorts = TunnelBlockedPorts(),
        standbyCount: Int = 32
    ) {
        self.logger = logger
        self.dialTimeout = dialTimeout
        self.blockedPorts = blockedPorts
        self.standbyCount = standbyCount
    }

    /// Why `port` may not be dialled, or nil.
    func refusal(port: Int) -> String? {
        guard (1...65535).contains(port) else { return "invalid port \(port)" }
        if blockedPorts.contains(port) { return "port \(port) is blocked on this runner (tunnels.blocked_ports)" }
        return nil
    }

    /// The data connection client to open streams on (replaced when the runner reconnects).
    public func setClient(_ client: FabricDataClient?) {
        self.client.withLock { $0 = client }
    }

    /// Starts one connection; returns at once. The IPv4 connect is issued here, before returning:
    /// commands arrive in the order the server accepted its clients, and dialing in that order too
    /// keeps the origin's accept order (iperf3 `--bidir` gives its data connections their roles by it).
    public func open(_ command: OpenTunnelConnectionCommand) {
        let metadata: Logger.Metadata = ["tunnel_id": "\(command.tunnelID)", "connection_id": "\(command.connectionID)"]
        guard let client = client.withLock({ $0 }), let connection = client.connection else {
            logger.warning("tunnel connection requested without a data connection", metadata: metadata)
            return
        }
        let path = FabricDataRoute.tunnelConnectionPath(tunnelID: command.tunnelID, connectionID: command.connectionID)
        dial(port: command.localPort, on: connection.channel.eventLoop, metadata: metadata).whenComplete { result in
            switch result {
            case .failure(let error):
                let reason = (error as? DialFailure)?.reason ?? "\(error)"
                Task { await self.reportDialError(client: client, path: path, reason: reason) }
            case .success(let socket):
                connection.makeStream(path: path) { stream in
                    let end = TunnelStreamEnd(peer: socket)
                    try stream.pipeline.syncOperations.addHandler(end)
                    socket.attach(end.link(eventLoop: stream.eventLoop))
                }.whenFailure { error in
                    self.logger.info("tunnel stream could not be opened", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                    socket.abort(.reset)
                }
            }
        }
    }

    /// Why a connection was not made, as `x-dial-error` tells the server.
    struct DialFailure: Error {
        let reason: String
    }

    /// Dials `127.0.0.1:port`, then `[::1]:port` (an origin may listen on IPv6 loopback only), on
    /// `loop`, as futures: a task per proxied connection would cost every short connection two
    /// thread hops. The IPv4 connect is issued before this returns, so dials keep the call order.
    /// A port refused here (``refusal(port:)``) or not reached fails with a ``DialFailure``; both
    /// are logged.
    func dial(port: Int, on loop: any EventLoop, metadata: Logger.Metadata) -> EventLoopFuture<TunnelSplicePeer> {
        if let reason = refusal(port: port) {
            logger.info("tunnel dial refused", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            return loop.makeFailedFuture(DialFailure(reason: reason))
        }
        return startDial(host: "127.0.0.1", port: port, on: loop)
            .flatMapError { _ in self.startDial(host: "::1", port: port, on: loop) }
            .map { dialled in
                self.logger.debug("tunnel connection dialled", metadata: metadata.merging(["port": "\(port)"]) { $1 })
                return dialled.link
            }
            .flatMapErrorThrowing { error in
                self.logger.info("tunnel dial failed", metadata: metadata.merging(["port": "\(port)", "error": "\(error)"]) { $1 })
                throw DialFailure(reason: "connect to port \(port) failed: \(error)")
            }
    }

    // MARK: standby streams

    /// Opens ``standbyCount`` standby streams on a new data connection (``FabricDataStandbyAssignment``).
    public func connectionUp(_ connection: FabricDataConnection) {
        guard standbyCount > 0 else { return }
        connection.channel.eventLoop.execute {
            for _ in 0..<self.standbyCount { self.openStandby(on: connection) }
        }
    }

    /// One idle stream the server answers when a client connects; every one answered is replaced.
    func openStandby(on connection: FabricDataConnection) {
        guard connection.isActive else { return }
        connection.makeStream(path: FabricDataSettings.standbyPath) { stream in
            try stream.pipeline.syncOperations.addHandler(TunnelStandbyHold())
        }.whenSuccess { stream in
            stream.response.whenSuccess { head in
                guard let assignment = FabricDataStandbyAssignment(responseHeaders: head.headers) else {
                    // An older server answers 404 (each of the first streams does): it sends
                    // OpenTunnelConnection instead.
                    if head.status == 404 || head.status == 405 {
                        self.logger.debug("the server keeps no standby tunnel streams", metadata: ["status": "\(head.status)"])
                    } else {
                        self.logger.warning("standby stream answered without a connection", metadata: ["status": "\(head.status)"])
                    }
                    stream.channel.close(promise: nil)
                    return
                }
                // Dial first: the replacement stream is set up while the connect is in flight.
                self.serve(assignment, on: stream.channel)
                self.openStandby(on: connection)
            }
        }
    }

    /// Dials for an answered standby stream (on its loop, in the order the answers came), then says
    /// connected with an empty DATA frame and splices (the client's bytes that came meanwhile, held
    /// by ``TunnelStandbyHold``, go first), or ends the stream with `x-dial-error`.
    func serve(_ assignment: FabricDataStandbyAssignment, on stream: any Channel) {
        let metadata: Logger.Metadata = ["tunnel_id": "\(assignment.tunnelID)", "connection_id": "\(assignment.connectionID)"]
        dial(port: assignment.localPort, on: stream.eventLoop, metadata: metadata).whenComplete { result in
            switch result {
            case .failure(let error):
                Self.endWithDialError(stream, reason: (error as? DialFailure)?.reason ?? "\(error)")
            case .success(let socket):
                guard stream.isActive else {
                    socket.abort(.reset)  // the client left while the runner dialled
                    return
                }
                let end = TunnelStreamEnd(peer: socket)
                let hold: TunnelStandbyHold
                do {
                    hold = try stream.pipeline.syncOperations.handler(type: TunnelStandbyHold.self)
                    try stream.pipeline.syncOperations.addHandler(end)
                } catch {
                    socket.abort(.reset)
                    stream.close(promise: nil)
                    return
                }
                // Connected; the socket's bytes follow once it is attached.
                stream.writeAndFlush(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()))), promise: nil)
                socket.attach(end.link(eventLoop: stream.eventLoop))
                hold.release()
            }
        }
    }

    private static func endWithDialError(_ stream: any Channel, reason: String) {
        let trailers = FabricDataStandbyAssignment.dialErrorTrailers(reason)
        stream.writeAndFlush(HTTP2Frame.FramePayload.headers(.init(headers: trailers, endStream: true)), promise: nil)
    }

    /// Connects to the origin at a loopback address (no resolver: the connect is queued on `loop`
    /// at once, in call order).
    func startDial(host: String, port: Int, on loop: any EventLoop) -> EventLoopFuture<(channel: any Channel, link: TunnelSplicePeer)> {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: host, port: port)
        } catch {
            return loop.makeFailedFuture(error)
        }
        let links = WriteOnceBox<TunnelSplicePeer>()
        return ClientBootstrap(group: loop)
            .connectTimeout(dialTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.recvAllocator, value: TunnelSocketEnd.receiveAllocator)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let end = TunnelSocketEnd()
                    try channel.pipeline.syncOperations.addHandler(end)
                    links.set(end.link(eventLoop: channel.eventLoop))
                }
            }
            .connect(to: address)
            .flatMapThrowing { channel in
                guard let link = links.get() else { throw ChannelError.ioOnClosedChannel }
                return (channel, link)
            }
    }

    private func reportDialError(client: FabricDataClient, path: String, reason: String) async {
        let headers = FabricDataStandbyAssignment.dialErrorTrailers(reason)
        if let stream = try? await client.openStream(path: path, headers: headers, endStream: true) {
            // The server answers and the stream ends by itself; nothing more to send.
            _ = try? await stream.response.get()
            stream.channel.close(promise: nil)
        }
    }
}
