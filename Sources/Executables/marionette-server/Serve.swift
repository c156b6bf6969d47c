import ArgumentParser
import Core
import Foundation
import Gateway
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import Orchestrator
import ServiceLifecycle

/// `marionette-server serve`: every listener and job; migrations at start; graceful stop on
/// SIGTERM/SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (default).")
    @OptionGroup var options: ServerOptions

    func run() async throws {
        MallocTuning.keepBulkBuffers()
        let (resolved, warnings) = try options.resolve()
        var config = resolved
        let logger = Logging.makeLogger(config)
        for warning in warnings { logger.warning("\(warning)") }
        try DataDirLock.ensureDirectory(config.dataDir)
        let opened = try await DatabaseFactory.open(config: config, logger: logger)
        do {
            // After the data directory lock: a second process never races for the key file.
            try Self.embeddedEncryptionKey(&config, logger: logger)
            try await serve(config: config, opened: opened, logger: logger)
        } catch {
            logger.error("server stopped with an error", metadata: ["error": "\(error)"])
            await opened.database.close()
            throw error
        }
        await opened.database.close()
        _ = opened.lock
        logger.notice("stopped")
    }

    private func serve(config: ServerConfig, opened: DatabaseFactory.Opened, logger: Logger) async throws {
        let store = Store(database: opened.database)
        logger.info(
            "store ready",
            metadata: ["driver": "\(config.resolvedDriver.rawValue)", "migrations_applied": "\(opened.appliedMigrations.count)"])

        let runtime = try ServerRuntime.build(
            config: config, store: store, admin: try adminCredentials(config, logger: logger), logger: logger)
        let services = runtime.services
        if let keys = services.dataKeys, config.encryptionKeyPrevious != nil {
            // KEK rotation: data keys sealed by the previous key are sealed again by the current one.
            let report = try await keys.rewrapAll()
            logger.notice(
                "re-wrapped data keys under the current encryption key",
                metadata: ["rewrapped": "\(report.rewrapped)", "unreadable": "\(report.unreadable)", "kek_id": "\(keys.kekID)"])
        }
        try await Self.sealLegacyWebhookSecrets(services.webhooks, logger: logger)
        if let path = try await services.apiKeys.bootstrapIfEmpty(dataDir: config.dataDir) {
            logger.notice("created the bootstrap API key (scope *)", metadata: ["path": "\(path)"])
        }

        let (publicRouter, _) = GatewayBuilder.publicRouter(services)
        let (adminRouter, _) = GatewayBuilder.adminRouter(services)
        // Client certificates (tls.verify_client) are for runners on the fabric; people and browsers use keys.
        var httpTLS = config.tls
        httpTLS.verifyClient = false
        let tls = try config.tls.enabled
            ? ServerRuntime.serverTLS(httpTLS).configuration(applicationProtocols: ["http/1.1"], certificates: runtime.certificates) : nil
        let publicApp = GatewayBuilder.publicServer(
            services, router: publicRouter, tls: tls, host: config.apiHost, port: config.apiPort,
            onListening: { _ in
                logger.notice("public API listening", metadata: ["address": "\(config.apiHost):\(config.apiPort)"])
            })
        let adminApp = Application(
            router: adminRouter,
            server: GatewayBuilder.adminServer(services, tls: tls),
            configuration: .init(address: .hostname(config.adminHost, port: config.adminPort), serverName: "Marionette"),
            onServerRunning: { _ in
                logger.notice("admin API listening", metadata: ["address": "\(config.adminHost):\(config.adminPort)"])
            },
            logger: logger)
        var lifecycle = runtime.lifecycleServices(publicApp: publicApp, adminApp: adminApp)
        if config.metricsListener.enabled {
            let listener = config.metricsListener
            let host = listener.host.isEmpty ? config.adminHost : listener.host
            lifecycle.append(
                .init(
                    service: Application(
                        router: GatewayBuilder.metricsRouter(runtime.services),
                        configuration: .init(address: .hostname(host, port: listener.port), serverName: "Marionette"),
                        onServerRunning: { _ in
                            logger.notice("metrics listening", metadata: ["address": "\(host):\(listener.port)\(listener.path)"])
                        },
                        logger: logger)))
        }
        var groupConfig = ServiceGroupConfiguration(
            services: lifecycle,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Long-lived streams (follows, uploads) get 10 s to end, then they are cancelled.
        groupConfig.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: groupConfig).run()
    }

    /// Embedded single-node mode (SQLite) without `MARIONETTE_ENCRYPTION_KEY`: the key in
    /// `<data-dir>/encryption.key`, generated (0600) on first start. Only the path is logged.
    static func embeddedEncryptionKey(_ config: inout ServerConfig, logger: Logger) throws {
        guard config.encryptionKey == nil else { return }
        guard config.resolvedDriver == .sqlite else {
            logger.warning(
                "no MARIONETTE_ENCRYPTION_KEY: creating agent configs and webhooks is unavailable (503) until one is set")
            return
        }
        let loaded = try EncryptionKeyFile.loadOrCreate(dataDir: config.dataDir)
        config.encryptionKey = loaded.hex
        if loaded.created {
            logger.notice("generated the encryption key; back it up with the database", metadata: ["path": "\(loaded.path)"])
        }
    }

    /// Webhooks from before migration 0005 keep their secret in the clear until a key seals it.
    static func sealLegacyWebhookSecrets(_ webhooks: WebhookService, logger: Logger) async throws {
        let sealed = try await webhooks.sealLegacySecrets()
        if sealed > 0 { logger.notice("sealed the signing secrets of older webhooks", metadata: ["count": "\(sealed)"]) }
        let left = try await webhooks.legacySecretCount()
        if left > 0 {
            logger.warning(
                "webhook signing secrets are stored in the clear until MARIONETTE_ENCRYPTION_KEY is set",
                metadata: ["count": "\(left)"])
        }
    }

    /// Admin Basic credentials from the environment, else a generated password kept in
    /// `<data-dir>/admin-password` (0600). Only the path is logged.
    func adminCredentials(_ config: ServerConfig, logger: Logger) throws -> AdminAuthenticator {
        if config.devInsecureAdmin {
            logger.warning("admin API authentication is OFF (--dev-insecure-admin); never use this outside development")
            return AdminAuthenticator(username: "admin", password: "", masterKey: config.masterKey, disabled: true)
        }
        if let user = config.uiUsername, let password = config.uiPassword {
            return AdminAuthenticator(username: user, password: password, masterKey: config.masterKey)
        }
        let path = config.dataDir + "/admin-password"
        if let existing = SecretFile.read(path), !existing.isEmpty {
            return AdminAuthenticator(username: "admin", password: existing, masterKey: config.masterKey)
        }
        // Letters and digits only: base64url's '-' could start the password, and `mctl
        // --admin-password -x…` would read it as an option. Still over 180 random bits.
        let password = Tokens.mint(.apiKey).raw.dropFirst(3).filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(32)
        try SecretFile.write(String(password) + "\n", to: path)
        logger.notice("generated the admin password for user admin", metadata: ["path": "\(path)"])
        return AdminAuthenticator(username: "admin", password: String(password), masterKey: config.masterKey)
    }
}

/// `marionette-server migrate`: apply schema migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply schema migrations and exit.")
    @OptionGroup var options: ServerOptions

    func run() async throws {
        let (config, _) = try options.resolve()
        let logger = Logging.makeLogger(config)
        try DataDirLock.ensureDirectory(config.dataDir)
        let opened = try await DatabaseFactory.open(config: config, logger: logger)
        print(opened.appliedMigrations.isEmpty
            ? "schema is up to date (version \(Migrations.latestVersion))"
            : "applied: \(opened.appliedMigrations.joined(separator: ", "))")
        await opened.database.close()
    }
}

/// `marionette-server keys create`: an API key straight into the store.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys in the store.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; prints the raw key once.")
        @OptionGroup var options: ServerOptions
        @Option(name: .long) var name: String
        @Option(name: .customLong("scope"), parsing: .upToNextOption) var scopes: [String] = []
        @Option(name: .long) var tenant: String?

        func run() async throws {
            let (config, _) = try options.resolve()
            let logger = Logging.makeLogger(config)
            try DataDirLock.ensureDirectory(config.dataDir)
            let opened = try await DatabaseFactory.open(config: config, logger: logger)
            let service = APIKeyService(store: Store(database: opened.database), multiTenant: config.multiTenant)
            var request = CreateAPIKeyRequest(
                name: name, scopes: scopes.flatMap { $0.split(separator: ",").map(String.init) })
            request.tenantID = tenant
            let created = try await service.create(request, createdBy: "cli")
            print("ID: \(created.key.id)\nName: \(created.key.name)\nScopes: \(created.key.scopes.joined(separator: ","))")
            print("Key: \(created.rawToken)")
            await opened.database.close()
        }
    }
}
