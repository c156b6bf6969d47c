/// The agent's settings (orchestration.md §3.1, cli.md §10.2), resolved from flags, then the
/// environment (`MARIONETTE_*`, canonical name first, then aliases), then the config file
/// (dotted keys such as `server.address`), then defaults.
public struct AgentConfiguration: Sendable {
    public struct TLS: Sendable, Equatable {
        public var enabled = false
        public var skipVerify = false
        public var certFile = ""
        public var keyFile = ""
        public var caFile = ""

        public init() {}
    }

    public var server = ServerAddress(host: "localhost", port: ServerAddress.defaultPort)
    /// The runner token (`rtok_…`). Never logged.
    public var token = ""
    public var name = ""
    public var poolName = ""
    public var sandboxMode = "runner-is-sandbox"
    public var workspaceBase = "/workspace"
    /// Port of the data connection (§10); default: gRPC port + 2.
    public var dataPort = ServerAddress.defaultPort + 2
    public var logLevel = "info"
    public var logFormat = "json"
    public var tls = TLS()
    public var heartbeatInterval: Duration = .seconds(30)
    public var heartbeatTimeout: Duration = .seconds(10)
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]
    public var logBufferBytes = 64 << 20
    public var logBufferLines = 100_000
    public var executors = Executors()
    public var tunnels = Tunnels()

    public init() {}

    /// `tunnels.*` (orchestration.md §3.1): how the runner dials the local ports tunnels reach.
    public struct Tunnels: Sendable, Equatable {
        /// `tunnels.dial_timeout`: per address tried (`127.0.0.1`, then `[::1]`).
        public var dialTimeout: Duration = .seconds(5)
        /// `tunnels.blocked_ports`: refused whatever the server asks.
        public var blockedPorts = TunnelBlockedPorts()
        /// `tunnels.standby_streams`: idle streams kept open on the data connection so a new tunnel
        /// connection skips the `OpenTunnelConnection` round trip; 0 turns them off.
        public var standbyStreams = 32

        public init() {}
    }

    /// `executors.*` (orchestration.md §3.1).
    public struct Executors: Sendable, Equatable {
        /// `executors.claude.binary`; `MARIONETTE_CLAUDE_BIN` in a task's environment wins, "" = `claude` on PATH.
        public var claudeBinary = ""
        /// `executors.claude.permission_wait`: how long a gated tool call waits for the operator.
        public var claudePermissionWait: Duration = .seconds(30 * 60)
        /// `executors.claude.permission_gating`: false approves every tool call without asking.
        public var claudePermissionGating = true
        /// `executors.claude.extra_args`.
        public var claudeExtraArguments: [String] = []
        /// `executors.codex.binary`; `MARIONETTE_CODEX_BIN` wins.
        public var codexBinary = ""
        /// `executors.codex.sandbox`.
        public var codexSandbox = "workspace-write"
        /// `executors.codex.permission_gating`: false runs `codex exec` (no approvals) for every session.
        public var codexPermissionGating = true

        public init() {}
    }

    /// `<workspace>/.marionette/state` (orchestration.md §3.1 `agent.state_dir`).
    public var stateDirectory: String { workspaceBase + "/.marionette/state" }

    /// TLS is used when enabled explicitly; otherwise plaintext (h2c), which the server accepts on
    /// loopback or with `--insecure-fabric`.
    public var usesTLS: Bool { tls.enabled }

    /// A one-line description for the startup log, without the token.
    public var summary: String {
        "server=\(server) data_port=\(dataPort) name=\(name) pool=\(poolName.isEmpty ? "-" : poolName) "
            + "sandbox_mode=\(sandboxMode) workspace=\(workspaceBase) tls=\(usesTLS) "
            + "heartbeat=\(heartbeatInterval.agentSeconds)s tunnel_dial_timeout=\(tunnels.dialTimeout.agentSeconds)s "
            + "tunnel_blocked_ports=\(tunnels.blockedPorts) tunnel_standby_streams=\(tunnels.standbyStreams) token=[redacted]"
    }
}

/// Command-line values as given (nil = not given).
public struct AgentFlags: Sendable {
    public var server: String?
    public var token: String?
    public var name: String?
    public var pool: String?
    public var sandboxMode: String?
    public var workspaceDir: String?
    public var dataPort: Int?
    public var logLevel: String?
    public var logFormat: String?
    public var tls: Bool?
    public var tlsSkipVerify: Bool?
    public var tlsCert: String?
    public var tlsKey: String?
    public var tlsCA: String?
    public var heartbeatInterval: String?
    public var heartbeatTimeout: String?
    public var labels: [String] = []

    public init() {}
}

public struct AgentConfigurationError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension AgentConfiguration {
    public static let sandboxModes: Set<String> = ["runner-is-sandbox", "runner-creates-sandbox", "none"]
    public static let logLevels: Set<String> = ["trace", "debug", "info", "warn", "warning", "error"]
    public static let logFormats: Set<String> = ["json", "console"]
    public static let codexSandboxes: Set<String> = ["read-only", "workspace-write", "danger-full-access"]

    /// Resolves and validates. `file` holds the config file's values by dotted key; `readFile`
    /// reads `@file` token references.
    public static func resolve(
        flags: AgentFlags, environment: [String: String], file: [String: String] = [:], hostname: String,
        readFile: (String) throws -> String
    ) throws -> AgentConfiguration {
        func value(_ flag: String?, _ names: [String], _ key: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            for name in names { if let found = environment[name], !found.isEmpty { return found } }
            if let found = file[key], !found.isEmpty { return found }
            return nil
        }
        func bool(_ flag: Bool?, _ names: [String], _ key: String) throws -> Bool? {
            if let flag { return flag }
            guard let text = value(nil, names, key) else { return nil }
            guard let parsed = parseBool(text) else {
                throw AgentConfigurationError("\(names.first ?? key) must be true or false, got \"\(text)\"")
            }
            return parsed
        }

        var config = AgentConfiguration()
        if let text = value(flags.server, ["MARIONETTE_SERVER_ADDRESS", "MARIONETTE_SERVER"], "server.address") {
            guard let address = ServerAddress(parsing: text) else {
                throw AgentConfigurationError("invalid server address \"\(text)\" (expected HOST:PORT)")
            }
            config.server = address
        }

        guard var token = value(flags.token, ["MARIONETTE_RUNNER_TOKEN"], "runner.token") else {
            throw AgentConfigurationError("a runner token is required (--token or MARIONETTE_RUNNER_TOKEN)")
        }
        if token.hasPrefix("@") {
            let path = String(token.dropFirst())
            do {
                token = try readFile(path).trimmingWhitespace()
            } catch {
                throw AgentConfigurationError("cannot read the runner token from \(path): \(error)")
            }
            guard !token.isEmpty else { throw AgentConfigurationError("the token file \(path) is empty") }
        }
        config.token = token

        config.name = value(flags.name, ["MARIONETTE_RUNNER_NAME"], "runner.name") ?? hostname
        config.poolName =
            value(flags.pool, ["MARIONETTE_RUNNER_POOL_NAME", "MARIONETTE_POOL_NAME"], "runner.pool_name") ?? ""

        if let mode = value(flags.sandboxMode, ["MARIONETTE_SANDBOX_MODE"], "sandbox.mode") {
            guard sandboxModes.contains(mode) else {
                throw AgentConfigurationError(
                    "invalid sandbox mode \"\(mode)\" (runner-is-sandbox, runner-creates-sandbox or none)")
            }
            config.sandboxMode = mode
        }
        if let base = value(flags.workspaceDir, ["MARIONETTE_WORKSPACE_BASE_DIR"], "workspace.base_dir") {
            config.workspaceBase = base.count > 1 && base.hasSuffix("/") ? String(base.dropLast()) : base
        }

        config.dataPort = config.server.port + 2
        if let port = flags.dataPort {
            config.dataPort = port
        } else if let text = value(nil, ["MARIONETTE_DATA_PORT", "MARIONETTE_SERVER_DATA_PORT"], "server.data_port") {
            guard let port = Int(text) else { throw AgentConfigurationError("invalid data port \"\(text)\"") }
            config.dataPort = port
        }
        guard (1...65535).contains(config.dataPort) else {
            throw AgentConfigurationError("invalid data port \(config.dataPort)")
        }

        if let level = value(flags.logLevel, ["MARIONETTE_LOGGING_LEVEL", "MARIONETTE_LOG_LEVEL"], "logging.level") {
            let lower = level.lowercased()
            guard logLevels.contains(lower) else {
                throw AgentConfigurationError("invalid log level \"\(level)\" (trace, debug, info, warn, error)")
            }
            config.logLevel = lower == "warning" ? "warn" : lower
        }
        if let format = value(flags.logFormat, ["MARIONETTE_LOGGING_FORMAT", "MARIONETTE_LOG_FORMAT"], "logging.format") {
            let lower = format.lowercased()
            guard logFormats.contains(lower) else {
                throw AgentConfigurationError("invalid log format \"\(format)\" (json or console)")
            }
            config.logFormat = lower
        }

        config.tls.enabled = try bool(flags.tls, ["MARIONETTE_TLS_ENABLED"], "tls.enabled") ?? false
        config.tls.skipVerify = try bool(flags.tlsSkipVerify, ["MARIONETTE_TLS_SKIP_VERIFY"], "tls.skip_verify") ?? false
        config.tls.certFile = value(flags.tlsCert, ["MARIONETTE_TLS_CERT_FILE"], "tls.cert_file") ?? ""
        config.tls.keyFile = value(flags.tlsKey, ["MARIONETTE_TLS_KEY_FILE"], "tls.key_file") ?? ""
        config.tls.caFile = value(flags.tlsCA, ["MARIONETTE_TLS_CA_FILE"], "tls.ca_file") ?? ""
        guard config.tls.certFile.isEmpty == config.tls.keyFile.isEmpty else {
            throw AgentConfigurationError("--tls-cert and --tls-key must be given together")
        }

        if let text = value(flags.heartbeatInterval, ["MARIONETTE_HEARTBEAT_INTERVAL"], "heartbeat.interval") {
            guard let interval = AgentDurationParser.parse(text), interval > .zero else {
                throw AgentConfigurationError("invalid heartbeat interval \"\(text)\" (e.g. 30s, 500ms, 2)")
            }
            config.heartbeatInterval = interval
        }
        if let text = value(flags.heartbeatTimeout, ["MARIONETTE_HEARTBEAT_TIMEOUT"], "heartbeat.timeout") {
            guard let timeout = AgentDurationParser.parse(text), timeout > .zero else {
                throw AgentConfigurationError("invalid heartbeat timeout \"\(text)\" (e.g. 10s)")
            }
            config.heartbeatTimeout = timeout
        }

        var labels: [String: String] = [:]
        for (key, text) in file where key.hasPrefix("runner.labels.") { labels[String(key.dropFirst(14))] = text }
        for item in flags.labels {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw AgentConfigurationError("invalid label \"\(item)\" (expected key=value)")
            }
            labels[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        config.labels = labels
        for (key, text) in file where key.hasPrefix("runner.annotations.") {
            config.annotations[String(key.dropFirst(19))] = text
        }
        if let text = file["logs.buffer_bytes"], let bytes = Int(text), bytes > 0 { config.logBufferBytes = bytes }
        if let text = file["logs.buffer_lines"], let lines = Int(text), lines > 0 { config.logBufferLines = lines }
        config.executors = try resolveExecutors(file: file)
        if let text = value(nil, ["MARIONETTE_TUNNELS_DIAL_TIMEOUT"], "tunnels.dial_timeout") {
            guard let timeout = AgentDurationParser.parse(text), timeout > .zero else {
                throw AgentConfigurationError("invalid tunnels.dial_timeout \"\(text)\" (e.g. 5s, 500ms)")
            }
            config.tunnels.dialTimeout = timeout
        }
        if let text = value(nil, ["MARIONETTE_TUNNELS_BLOCKED_PORTS"], "tunnels.blocked_ports") {
            config.tunnels.blockedPorts = try TunnelBlockedPorts(parsing: text)
        }
        if let text = value(nil, ["MARIONETTE_TUNNELS_STANDBY_STREAMS"], "tunnels.standby_streams") {
            guard let count = Int(text), (0...64).contains(count) else {
                throw AgentConfigurationError("invalid tunnels.standby_streams \"\(text)\" (0 to 64; 0 turns them off)")
            }
            config.tunnels.standbyStreams = count
        }
        return config
    }

    /// `executors.*` from the config file; the binaries' environment variables are read per task.
    static func resolveExecutors(file: [String: String]) throws -> Executors {
        var executors = Executors()
        func bool(_ key: String) throws -> Bool? {
            guard let text = file[key], !text.isEmpty else { return nil }
            guard let parsed = parseBool(text) else {
                throw AgentConfigurationError("\(key) must be true or false, got \"\(text)\"")
            }
            return parsed
        }
        executors.claudeBinary = file["executors.claude.binary"] ?? ""
        executors.codexBinary = file["executors.codex.binary"] ?? ""
        if let text = file["executors.claude.permission_wait"], !text.isEmpty {
            guard let wait = AgentDurationParser.parse(text), wait > .zero else {
                throw AgentConfigurationError("invalid executors.claude.permission_wait \"\(text)\" (e.g. 30m, 90s)")
            }
            executors.claudePermissionWait = wait
        }
        executors.claudePermissionGating = try bool("executors.claude.permission_gating") ?? true
        executors.codexPermissionGating = try bool("executors.codex.permission_gating") ?? true
        if let text = file["executors.claude.extra_args"], !text.isEmpty {
            executors.claudeExtraArguments = text.split(separator: ",").map { String($0).trimmingWhitespace() }
        }
        if let sandbox = file["executors.codex.sandbox"], !sandbox.isEmpty {
            guard codexSandboxes.contains(sandbox) else {
                throw AgentConfigurationError(
                    "invalid executors.codex.sandbox \"\(sandbox)\" (read-only, workspace-write or danger-full-access)")
            }
            executors.codexSandbox = sandbox
        }
        return executors
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}
