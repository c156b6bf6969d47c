import Core
import Logging
import Orchestrator

/// The live side of tunnels on this server. This first step only takes note of creates and
/// closes; the byte path (entry points, TCP ports, data-connection streams) comes next.
public final class TunnelRuntime: Sendable {
    let store: Store
    let apiKeys: APIKeyAuthenticator
    let settings: ServerConfig.Tunnels
    let logger: Logger

    public init(store: Store, apiKeys: APIKeyAuthenticator, config: ServerConfig, logger: Logger) {
        self.store = store
        self.apiKeys = apiKeys
        self.settings = config.tunnels
        self.logger = logger
    }

    /// A tunnel was created (TCP tunnels will bind their port here).
    public func tunnelOpened(_ record: TunnelRecord) async {}

    /// A tunnel was closed or expired (its live connections will end here).
    public func tunnelClosed(id: String, reason: String) async {}
}
