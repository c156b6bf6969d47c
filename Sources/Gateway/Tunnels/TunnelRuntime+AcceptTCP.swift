import Fabric
import NIOCore
import Orchestrator

extension TunnelRuntime {
    /// A TCP client was accepted (called in accept order): once its end is set up (`linked`),
    /// re-check the tunnel (open, runner connected, limit), then connect. Accepts are handled in the
    /// order of these calls (``TunnelAcceptQueue``) and their `OpenTunnelConnection`s go out in it.
    func acceptTCP(
        tunnelID: String, client linked: EventLoopFuture<TunnelSplicePeer>, source: String, closeFuture: EventLoopFuture<Void>
    ) {
        acceptQueue.submit { [self] in
            // Refused for its source address, or closed before it was set up: nothing to connect.
            guard let client = try? await linked.get() else { return }
            let refuse = { (reason: String) in
                self.logger.info("tcp tunnel connection refused", metadata: ["tunnel_id": "\(tunnelID)", "reason": "\(reason)"])
                client.abort(.reset)
            }
            guard let target = try? await self.target(.id(tunnelID)),
                target.tunnel.status(at: store.clock.now()) == .active
            else { return refuse("tunnel closed or expired") }
            let runnerID: String
            switch admit(target) {
            case .runner(let admitted): runnerID = admitted
            case .refused(_, let message): return refuse(message)
            }
            connect(
                tunnelID: tunnelID, runnerID: runnerID, localPort: target.tunnel.localPort, protocol: "tcp",
                clientAddress: source, client: client, closeFuture: closeFuture)
        }
    }
}
