import Fabric
import Logging
import NIOCore
import NIOHPACK
import NIOPosix
import Synchronization

/// The runner side of tunnels (runner-protocol.md §10.3): for each `OpenTunnelConnection` it dials
/// `127.0.0.1:<port>` (then `[::1]`), never another host, within 5 s, on the data connection's event
/// loop, then opens `POST /v1/tunnels/{tid}/connections/{cid}` and splices the local socket to the
/// stream. A failed dial, or a port in `tunnels.blocked_ports`, is reported with `x-dial-error` and
/// END_STREAM.
public final class TunnelDialer: Sendable {
    private let client = Mutex<FabricDataClient?>(nil)
    private let logger: Logger
    /// Dial timeout per address.
    public let dialTimeout: TimeAmount
    /// Ports never dialled, whatever the server asks.
    public let blockedPorts: TunnelBlockedPorts

    public init(logger: Logger, dialTimeout: TimeAmount = .seconds(5), blockedPorts: TunnelBlockedPorts = TunnelBlockedPorts()) {
        self.logger = logger
        self.dialTimeout = dialTimeout
        self.blockedPorts = blockedPorts
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
        if let reason = refusal(port: command.localPort) {
            logger.info("tunnel dial refused", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            Task { await reportDialError(client: client, path: path, reason: reason) }
            return
        }
        let loop = connection.channel.eventLoop
        let port = command.localPort
        // All on the data connection's loop, as futures: a task per proxied connection would cost
        // every short connection two thread hops.
        startDial(host: "127.0.0.1", port: port, on: loop)
            .flatMapError { _ in
                // Nothing on IPv4 loopback: the origin may listen on [::1] only.
                self.startDial(host: "::1", port: port, on: loop)
            }
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    self.logger.info("tunnel dial failed", metadata: metadata.merging(["port": "\(port)", "error": "\(error)"]) { $1 })
                    Task { await self.reportDialError(client: client, path: path, reason: "connect to port \(port) failed: \(error)") }
                case .success(let local):
                    let socket = local.link
                    self.logger.debug("tunnel connection dialled", metadata: metadata.merging(["port": "\(port)"]) { $1 })
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
        var headers = HPACKHeaders()
        headers.add(name: "x-dial-error", value: String(reason.prefix(256)))
        if let stream = try? await client.openStream(path: path, headers: headers, endStream: true) {
            // The server answers and the stream ends by itself; nothing more to send.
            _ = try? await stream.response.get()
            stream.channel.close(promise: nil)
        }
    }
}
