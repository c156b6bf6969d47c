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
    /// With `tls.enabled`: the certificate and key every listener serves, re-read from their files.
    public let certificates: FabricCertificateReloader?

    public enum StartupError: Error, CustomStringConvertible {
        case insecureFabric(String)
        case localProviderWithClientVerification
        public var description: String {
            switch self {
            case .localProviderWithClientVerification:
                return "tls.verify_client requires every runner to present a client certificate, which agents of the "
                    + "local provider do not have; set providers.default to none and start runners with --tls-cert/--tls-key"
            case .insecureFabric(let host):
                return "the fabric would listen in plaintext on \(host), which is not loopback; "
                    + "configure TLS or pass --insecure-fabric"
            }
        }
    }

    /// The TLS files of every listener (`tls.*`).
    public static func serverTLS(_ files: ServerConfig.TLSFiles) -> FabricServerTLS {
        FabricServerTLS(certFile: files.certFile, keyFile: files.keyFile, caFile: files.caFile, verifyClient: files.verifyClient)
    }

    public static func build(
        config: ServerConfig, store: Store, admin: AdminAuthenticator, logger: Logger,
        agentBinary: String = LocalProvider.agentBesideExecutable(), localSandbox: String = LocalProvider.defaultSandbox()
    ) throws -> ServerRuntime {
        if !config.tls.enabled && !FabricServerTransport.isLoopback(config.grpcHost) && !config.insecureFabric {
            throw StartupError.insecureFabric(config.grpcHost)
        }
        if config.tls.verifyClient && config.providerDefault == "local" {
            throw StartupError.localProviderWithClientVerification
        }
        let tls = config.tls.enabled ? Self.serverTLS(config.tls) : nil
        let certificates = try tls.map {
            try FabricCertificateReloader(tls: $0, interval: .seconds(config.tls.reloadIntervalSeconds), logger: logger)
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
            if tls != nil {
                // Local agents dial the server's own loopback listener, which a certificate issued for the
                // public name need not cover; the channel never leaves this machine.
                settings.environment["MARIONETTE_TLS_ENABLED"] = "true"
                settings.environment["MARIONETTE_TLS_SKIP_VERIFY"] = "true"
            }
            provider = LocalProvider(settings: settings, store: store, tokens: tokens, logger: logger)
        } else {
            provider = nil
        }
        var hubSettings = RunnerHub.Settings()
        hubSettings.heartbeatIntervalSeconds = config.heartbeatIntervalSeconds
        hubSettings.staleAfterSeconds = Int64(config.runnerStaleAfterSeconds)
        hubSettings.disconnectGraceSeconds = Int64(config.disconnectGraceSeconds)
        hubSettings.localWorkspaceBase = dataDir + "/workspaces"
        hubSettings.permissionSuspendAfterSeconds = config.permissionSuspendAfterSeconds
        hubSettings.pricing = config.pricing
        let metrics = ServerMetrics()
        // BYOK keys: held in memory only, by the session service, read by the hub for AgentConfig.
        let vault = CredentialVault()
        // Managed keys and webhook secrets: sealed under data keys that the KEK seals.
        let dataKeys = try DataKeys.configured(config, store: store)
        let runners = RunnerHub(
            store: store, tokens: tokens, provider: provider, hub: logs, settings: hubSettings,
            metrics: metrics.orchestrator, vault: vault, agentConfigs: AgentConfigService(store: store, dataKeys: dataKeys),
            logger: logger)
        metrics.countRunners { await runners.connectedCount }
        let services = GatewayServices(
            config: config, store: store, admin: admin, hub: logs, hooks: runners, sfu: SFUHolder(), metrics: metrics,
            vault: vault, dataKeys: dataKeys, logger: logger)
        let grpc = GRPCServer(
            transport: try tls.map {
                try FabricServerTransport.secure(host: config.grpcHost, port: config.grpcPort, tls: $0, certificates: certificates)
            }
                ?? FabricServerTransport.plaintext(host: config.grpcHost, port: config.grpcPort),
            services: [
                RunnerService(
                    hub: runners, store: store, logs: logs, heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
                    mediaSink: SFUMediaSink(holder: services.sfu), input: services.streamInput, metrics: metrics.orchestrator, logger: logger)
            ])
        let data = FabricDataServer(
            configuration: FabricDataServerConfiguration(
                host: config.grpcHost, port: config.resolvedFabricDataPort, tls: try tls?.dataContext(certificates: certificates)),
            authenticator: { runnerID, token in
                (try? await runners.authenticate(runnerID: runnerID, token: token)) != nil
            },
            streamHandler: services.tunnelRuntime.broker,
            logger: logger)
        let registry = data.registry
        services.tunnelRuntime.configure(
            TunnelRuntime.Fabric(
                send: { command, runnerID in runners.sendNow(command, toRunner: runnerID) },
                isConnected: { registry.isConnected(runnerID: $0) },
                dataLoop: { registry.connection(for: $0)?.eventLoop }))
        return ServerRuntime(services: services, runners: runners, logs: logs, grpc: grpc, data: data, certificates: certificates)
    }

    /// The lifecycle services to run, in start order.
    public func lifecycleServices(publicApp: some Service, adminApp: some Service) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        (certificates.map { [.init(service: $0)] } ?? []) + [
            .init(
                service: GRPCServerService(
                    server: grpc, runners: runners,
                    activity: SessionLiveActivity(store: services.store, tunnels: services.tunnelRuntime, sfu: services.sfu))),
            .init(service: data),
            .init(service: SFUService(config: services.config, holder: services.sfu, logger: services.logger) { [services] event in
                await StreamLifecycle.apply(event, streams: services.streams, input: services.streamInput, logger: services.logger)
            }),
            .init(service: services.tunnelRuntime),
            .init(service: AuditRecorder(store: services.store, logger: services.logger)),
            .init(service: WebhookDispatcher(
                store: services.store, settings: services.config.webhooks, dataKeys: services.dataKeys, logger: services.logger)),
            .init(service: publicApp),
            .init(service: adminApp),
        ]
    }
}

/// Runs the gRPC server under ServiceLifecycle and starts the hub's enforcers with it.
struct GRPCServerService: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let runners: RunnerHub
    let activity: any SessionActivityProbe

    func run() async throws {
        await runners.setActivityProbe(activity)
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
