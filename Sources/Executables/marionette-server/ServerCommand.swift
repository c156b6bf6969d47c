import ArgumentParser
import Core
import Foundation
import Logging

@main
struct MarionetteServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marionette-server",
        abstract: "The Marionette control plane: REST API, admin API, runner fabric and media.",
        version: BuildInfo.version,
        subcommands: [Serve.self, Migrate.self, Keys.self, ConfigCommand.self, Version.self],
        defaultSubcommand: Serve.self)
}

enum BuildInfo {
    static let version = "0.1.0"
    static let commit = ProcessInfo.processInfo.environment["MARIONETTE_BUILD_COMMIT"] ?? "unknown"
    static let date = "unknown"
}

/// Flags shared by every subcommand that touches the configuration.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Server config file (YAML).") var config: String?
    @Option(name: .customLong("data-dir"), help: "SQLite file, storage and bootstrap files (default ./.marionette).")
    var dataDir: String?
    @Option(name: .long, help: "Bind address of the public, gRPC, media and tunnel listeners (default 127.0.0.1).")
    var host: String?
    @Option(name: .customLong("api-port"), help: "Public API port (default 8080).") var apiPort: Int?
    @Option(name: .customLong("admin-port"), help: "Admin API port (default 8081).") var adminPort: Int?
    @Option(name: .customLong("grpc-port"), help: "Runner fabric gRPC port (default 9090).") var grpcPort: Int?
    @Option(name: .customLong("fabric-data-port"), help: "Runner fabric data port (default grpc port + 2).")
    var fabricDataPort: Int?
    @Option(name: .customLong("media-port"), help: "WebRTC media UDP port (default 7881).") var mediaPort: Int?
    @Flag(name: .customLong("insecure-fabric"), help: "Allow plaintext gRPC on a non-loopback address.")
    var insecureFabric = false
    @Flag(name: .customLong("dev-insecure-admin"), help: "Serve the admin API without authentication (development only).")
    var devInsecureAdmin = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, warn or error.") var logLevel: String?

    func resolve() throws -> (ServerConfig, [String]) {
        let loader = ConfigLoader(environment: ProcessInfo.processInfo.environment)
        var warnings: [String] = []
        var config = try loader.load(path: loader.configPath(flag: self.config), warnings: &warnings)
        func set(_ key: String, _ value: String?) throws {
            if let value { try config.apply(key: key, value: value) }
        }
        try set("server.data_dir", dataDir)
        if let host {
            config.apiHost = host
            config.grpcHost = host
        }
        try set("server.api.port", apiPort.map(String.init))
        try set("server.admin.port", adminPort.map(String.init))
        try set("server.grpc.port", grpcPort.map(String.init))
        try set("server.grpc.data_port", fabricDataPort.map(String.init))
        try set("sfu.port", mediaPort.map(String.init))
        try set("logging.level", logLevel)
        if insecureFabric { config.insecureFabric = true }
        if devInsecureAdmin { config.devInsecureAdmin = true }
        try config.validate()
        return (config, warnings)
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print version, commit and build date.")
    func run() {
        print("marionette-server version \(BuildInfo.version)")
        print("commit \(BuildInfo.commit)")
        print("build date \(BuildInfo.date)")
    }
}

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.", subcommands: [Print.self])

    struct Print: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the effective configuration, secrets redacted.")
        @OptionGroup var options: ServerOptions
        func run() throws {
            let (config, warnings) = try options.resolve()
            for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            for (key, value) in config.redactedSummary() { print("\(key): \(value)") }
        }
    }
}
