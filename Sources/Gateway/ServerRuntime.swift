import Core
import Fabric
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import Logging
import Orchestrator
import ServiceLifecycle

/// Everything `marionette-server serve` runs, built in one place for main and the tests: the
/// public and admin HTTP apps, the fabric's gRPC listener and data connection listener, and the
/// runner hub with its enforcers.
public struct ServerRuntime: Sendable {
    public let services: GatewayServices
    public let runners: RunnerHub
    public let logs: LogHub
    public let grpc: GRPCServer<HTTP2ServerTransport.Posix>
    public let data: FabricDataServer

    public enum StartupError: Error, CustomStringConvertible {
        case insecureFabric(String)
        public var description: String {
            switch self {
            case .insecureFabric(let host):
                return "the fabric would listen in plaintext on \(host), which is not loopback; "
                    + "configure TLS or pass --insecure-fabric"
            }
        }
    }

    public static func build(
        config: ServerConfig, store: Store, admin: AdminAuthenticator, logger: Logger,
        agentBinary: String = LocalProvider.agentBesideExecutable(), localSandbox: String = LocalProvider.defaultSandbox()
    ) throws -> ServerRuntime {
        if !FabricServerTransport.isLoopback(config.grpcHost) && !config.insecureFabric {
            throw StartupError.insecureFabric(config.grpcHost)
        }
        let logs = LogHub()
        let tokens = RunnerTokenService(store: store, multiTenant: config.multiTenant)
        let dataDir = URL(fileURLWithPath: config.dataDir).standardizedFileURL.path
        let provider: (any RunnerProvider)?
        if config.providerDefault == "local" {
            var settings = LocalProvider.Settings(
                agentBinary: agentBinary, dataDir: dataDir,
                serverAddress: "127.0.0.1:\(config.grpcPort)", dataPort: config.resolvedFabricDataPort,
                sandbox: localSandbox)
            settings.maxRunners = config.localMaxRunners
            provider = LocalProvider(settings: settings, store: store, tokens: tokens, logger: logger)
        } else {
            provider = nil
        }
        var hubSettings = RunnerHub.Settings()
        hubSettings.heartbeatIntervalSeconds = config.heartbeatIntervalSeconds
        hubSettings.staleAfterSeconds = Int64(config.runnerStaleAfterSeconds)
        hubSettings.disconnectGraceSeconds = Int64(config.disconnectGraceSeconds)
        hubSettings.localWorkspaceBase = dataDir + "/workspaces"
        let runners = RunnerHub(
            store: store, tokens: tokens, provider: provider, hub: logs, settings: hubSettings, logger: logger)
        let services = GatewayServices(
            config: config, store: store, admin: admin, hub: logs, hooks: runners, logger: logger)
        let grpc = GRPCServer(
            transport: FabricServerTransport.plaintext(host: config.grpcHost, port: config.grpcPort),
            services: [
                RunnerService(
                    hub: runners, store: store, logs: logs, heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
                    logger: logger)
            ])
        let data = FabricDataServer(
            configuration: FabricDataServerConfiguration(host: config.grpcHost, port: config.resolvedFabricDataPort),
            authenticator: { runnerID, token in
                (try? await runners.authenticate(runnerID: runnerID, token: token)) != nil
            },
            logger: logger)
        return ServerRuntime(services: services, runners: runners, logs: logs, grpc: grpc, data: data)
    }

    /// The lifecycle services to run, in start order.
    public func lifecycleServices(publicApp: some Service, adminApp: some Service) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        [
            .init(service: GRPCServerService(server: grpc, runners: runners)),
            .init(service: data),
            .init(service: publicApp),
            .init(service: adminApp),
        ]
    }
}

/// Runs the gRPC server under ServiceLifecycle and starts the hub's enforcers with it.
struct GRPCServerService: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let runners: RunnerHub

    func run() async throws {
        await runners.start()
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
            // Control streams never end by themselves: close them so the shutdown can finish.
            Task { await runners.stop() }
        }
        await runners.stop()
    }
}
