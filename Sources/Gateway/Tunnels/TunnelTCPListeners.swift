import Core
import Fabric
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Orchestrator

#if canImport(Glibc)
import Glibc
#endif

/// One listening socket per TCP tunnel on `tunnels.tcp_bind_host:<public_port>` (streaming.md §7.6).
/// Each accepted connection is checked against the tunnel's source networks (public tunnels take
/// anyone) and the tunnel's rate of new connections (`tunnels.new_connections_per_second`), then
/// spliced raw to a data-connection stream; refusals and failures are resets. The connections'
/// work is queued in accept order, so the runner dials the origin in that order too.
final class TunnelTCPListeners: Sendable {
    private let logger: Logger
    private let channels = NIOLockedValueBox<[String: any Channel]>([:])

    init(logger: Logger) {
        self.logger = logger
    }

    var tunnelIDs: [String] { channels.withLockedValue { Array($0.keys) } }

    func port(of tunnelID: String) -> Int? {
        channels.withLockedValue { $0[tunnelID]?.localAddress?.port }
    }

    /// Listens on the tunnel's port; throws the bind error (the port taken by another process).
    func bind(record: TunnelRecord, host: String, port: Int, runtime: TunnelRuntime) async throws {
        guard channels.withLockedValue({ $0[record.id] }) == nil else { return }
        let networks = record.allowCIDRs.compactMap(CIDR.init)
        let isPublic = record.isPublic
        let tunnelID = record.id
        let idleTimeout = TimeAmount.seconds(Int64(runtime.settings.idleTimeoutSeconds))
        let logger = self.logger
        let links = TunnelTCPAcceptedLinks()
        let perSecond = runtime.settings.newConnectionsPerSecond
        let rate = NIOLockedValueBox(ConnectionRateLimit(perSecond: perSecond))
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { listener in
                listener.eventLoop.makeCompletedFuture {
                    // The runner dials the origin in accept order: queue each connection's work here,
                    // not from its set-up on its own loop (see TunnelTCPAcceptOrder).
                    try listener.pipeline.syncOperations.addHandler(
                        TunnelTCPAcceptOrder { connection in
                            let now = NIODeadline.now()
                            guard rate.withLockedValue({ $0.admit(now: now) }) else {
                                // Reset once set up; said in the log at most once a second, with the count.
                                links.expect(connection).whenSuccess { $0.abort(.reset) }
                                runtime.metrics.connection(type: "tcp", .rateLimited)
                                if let refused = rate.withLockedValue({ $0.refusalReport(now: now) }) {
                                    logger.warning(
                                        "tcp tunnel connections refused: over the rate limit",
                                        metadata: ["tunnel_id": "\(tunnelID)", "refused": "\(refused)", "per_second": "\(perSecond)"])
                                }
                                return
                            }
                            runtime.acceptTCP(
                                tunnelID: tunnelID, client: links.expect(connection),
                                source: connection.remoteAddress?.ipAddress ?? "", closeFuture: connection.closeFuture)
                        })
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.recvAllocator, value: TunnelSocketEnd.receiveAllocator)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let source = channel.remoteAddress?.ipAddress ?? ""
                    guard isPublic || networks.contains(where: { $0.contains(source) }) else {
                        logger.info("tcp tunnel connection refused: source not allowed", metadata: ["tunnel_id": "\(tunnelID)", "source": "\(source)"])
                        TunnelSocketEnd.resetSocket(channel)
                        throw ChannelError.inappropriateOperationForState
                    }
                    let end = TunnelSocketEnd()
                    try channel.pipeline.syncOperations.addHandlers(TunnelIdleHandler(timeout: idleTimeout), end)
                    links.supply(end.link(eventLoop: channel.eventLoop), for: channel)
                }
            }
        let channel: any Channel
        if let reserved = runtime.portReservations.take(port) {
            // The socket that has held the port since the store picked it.
            guard listen(reserved, 256) == 0 else {
                let code = errno
                close(reserved)
                throw IOError(errnoCode: code, reason: "listen \(host):\(port)")
            }
            channel = try await bootstrap.withBoundSocket(reserved).get()
        } else {
            channel = try await bootstrap.bind(host: host, port: port).get()
        }
        let previous = channels.withLockedValue { all -> (any Channel)? in
            defer { all[tunnelID] = channel }
            return all[tunnelID]
        }
        try? await previous?.close()
        logger.info("tcp tunnel listening", metadata: ["tunnel_id": "\(tunnelID)", "address": "\(host):\(port)"])
    }

    func unbind(tunnelID: String) async {
        let channel = channels.withLockedValue { $0.removeValue(forKey: tunnelID) }
        try? await channel?.close()
    }

    func unbindAll() async {
        let all = channels.withLockedValue { all -> [any Channel] in
            defer { all.removeAll() }
            return Array(all.values)
        }
        for channel in all { try? await channel.close() }
    }
}
