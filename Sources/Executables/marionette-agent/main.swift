import Agent
import Core
import ArgumentParser
import Foundation

/// `marionette-agent`: parse flags (cli.md §10.2), build the runtime, run it.
/// Commands with asynchronous work (top-level code cannot use `AsyncParsableCommand.main()`; an
/// existential `run()` call resolves to the synchronous requirement, so they get their own name).
protocol ExecutableAgentCommand: ParsableCommand {
    func execute() async throws
}

struct AgentCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marionette-agent",
        abstract: "The Marionette runner daemon: dials the server's fabric and runs agent tasks.",
        version: AgentBuildInfo.version,
        subcommands: [Run.self, Version.self],
        defaultSubcommand: Run.self
    )
}

struct RunOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "YAML config file (orchestration.md §3.1 keys).")
    var config: String?
    @Option(name: .customLong("server"), help: "Server fabric address HOST:PORT (default localhost:9090). Env MARIONETTE_SERVER_ADDRESS.")
    var server: String?
    @Option(name: .customLong("token"), help: "Runner token rtok_… or @FILE. Env MARIONETTE_RUNNER_TOKEN.")
    var token: String?
    @Option(name: .customLong("name"), help: "Runner name (default: hostname). Env MARIONETTE_RUNNER_NAME.")
    var name: String?
    @Option(name: .customLong("pool"), help: "Pool name (must match the token's pool). Env MARIONETTE_RUNNER_POOL_NAME.")
    var pool: String?
    @Option(name: .customLong("sandbox-mode"), help: "runner-is-sandbox | runner-creates-sandbox | none.")
    var sandboxMode: String?
    @Option(name: [.customLong("workspace-dir"), .customLong("workspace")], help: "Workspace base directory (default /workspace).")
    var workspaceDir: String?
    @Option(name: .customLong("data-port"), help: "Data connection port (default: server port + 2).")
    var dataPort: Int?
    @Option(name: .customLong("log-level"), help: "trace | debug | info | warn | error (default info).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "json | console (default json).")
    var logFormat: String?
    @Flag(name: .customLong("tls"), help: "Use TLS for the fabric connections.")
    var tls = false
    @Flag(name: .customLong("tls-skip-verify"), help: "Do not verify the server certificate.")
    var tlsSkipVerify = false
    @Option(name: .customLong("tls-cert"), help: "Client certificate (PEM) for mTLS.")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "Client private key (PEM) for mTLS.")
    var tlsKey: String?
    @Option(name: .customLong("tls-ca"), help: "CA bundle (PEM) to verify the server.")
    var tlsCA: String?
    @Option(name: .customLong("heartbeat-interval"), help: "Heartbeat interval, e.g. 30s, 500ms (default 30s). Env MARIONETTE_HEARTBEAT_INTERVAL.")
    var heartbeatInterval: String?
    @Option(name: .customLong("label"), help: "Runner label key=value (repeatable).")
    var label: [String] = []

    var flags: AgentFlags {
        var flags = AgentFlags()
        flags.server = server
        flags.token = token
        flags.name = name
        flags.pool = pool
        flags.sandboxMode = sandboxMode
        flags.workspaceDir = workspaceDir
        flags.dataPort = dataPort
        flags.logLevel = logLevel
        flags.logFormat = logFormat
        flags.tls = tls ? true : nil
        flags.tlsSkipVerify = tlsSkipVerify ? true : nil
        flags.tlsCert = tlsCert
        flags.tlsKey = tlsKey
        flags.tlsCA = tlsCA
        flags.heartbeatInterval = heartbeatInterval
        flags.labels = label
        return flags
    }
}

extension AgentCommandLine {
    struct Run: ExecutableAgentCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the agent (default).")

        @OptionGroup var options: RunOptions

        func execute() async throws {
            let environment = ProcessInfo.processInfo.environment
            let hostname = ProcessInfo.processInfo.hostName
            let configuration: AgentConfiguration
            do {
                let file = try options.config.map { try AgentConfigFile.load(path: $0) } ?? [:]
                configuration = try AgentConfiguration.resolve(
                    flags: options.flags, environment: environment, file: file, hostname: hostname,
                    readFile: { try String(contentsOfFile: $0, encoding: .utf8) })
            } catch let error as AgentConfigurationError {
                FileHandle.standardError.write(Data("marionette-agent: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
            let logger = AgentLogging.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
            if let failure = ProcessHardening.keepMemoryPrivate() {
                logger.warning("agent keys may end up in core dumps: \(failure)")
            }
            let sandbox = SandboxDetector.detect(.system(path: environment["PATH"] ?? "/usr/bin:/bin"))
            let runtime = AgentRuntime(
                configuration: configuration, logger: logger, hostname: hostname, environment: environment,
                sandbox: sandbox)
            let signals = AgentSignals()
            signals.install { _ in runtime.requestShutdown() }
            do {
                try await runtime.run()
            } catch let exit as AgentExit {
                logger.critical("\(exit.description)")
                throw ExitCode(exit.status)
            }
            withExtendedLifetime(signals) {}
        }
    }

    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the agent version.")

        func run() {
            print("marionette-agent version \(AgentBuildInfo.version)")
            print("commit \(AgentBuildInfo.commit)")
            print("os/arch \(AgentBuildInfo.operatingSystem)/\(AgentBuildInfo.architecture)")
        }
    }
}

MallocTuning.keepBulkBuffers()
do {
    var command = try AgentCommandLine.parseAsRoot()
    if let executable = command as? any ExecutableAgentCommand {
        try await executable.execute()
    } else {
        try command.run()
    }
    exit(0)
} catch {
    AgentCommandLine.exit(withError: error)
}
