import Testing

@testable import Agent

@Suite struct AgentConfigurationTests {
    struct NoFile: Error {}

    private func resolve(_ flags: AgentFlags = AgentFlags(), env: [String: String] = [:], file: [String: String] = [:]) throws
        -> AgentConfiguration
    {
        try AgentConfiguration.resolve(
            flags: flags, environment: env, file: file, hostname: "host-1",
            readFile: { path in
                guard path == "/secrets/token" else { throw NoFile() }
                return "rtok_fromfile\n"
            })
    }

    @Test func defaults() throws {
        let config = try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "rtok_abc"])
        #expect(config.server == ServerAddress(host: "localhost", port: 9090))
        #expect(config.dataPort == 9092)
        #expect(config.name == "host-1")
        #expect(config.workspaceBase == "/workspace")
        #expect(config.sandboxMode == "runner-is-sandbox")
        #expect(config.heartbeatInterval == .seconds(30))
        #expect(config.heartbeatTimeout == .seconds(10))
        #expect(config.logLevel == "info" && config.logFormat == "json")
        #expect(!config.usesTLS)
        #expect(!config.summary.contains("rtok_abc"))
    }

    @Test func tokenIsRequired() {
        #expect(throws: AgentConfigurationError.self) { try resolve() }
    }

    @Test func tokenFromFile() throws {
        var flags = AgentFlags()
        flags.token = "@/secrets/token"
        #expect(try resolve(flags).token == "rtok_fromfile")
        flags.token = "@/missing"
        #expect(throws: AgentConfigurationError.self) { try resolve(flags) }
    }

    @Test func flagsBeatEnvironmentBeatsFile() throws {
        var flags = AgentFlags()
        flags.token = "rtok_flag"
        flags.name = "flag-name"
        let env = [
            "MARIONETTE_RUNNER_TOKEN": "rtok_env", "MARIONETTE_RUNNER_NAME": "env-name",
            "MARIONETTE_SERVER": "10.0.0.1:7000", "MARIONETTE_POOL_NAME": "gpu",
        ]
        let file = ["server.address": "file:1", "runner.pool_name": "file-pool", "workspace.base_dir": "/data/ws/"]
        let config = try resolve(flags, env: env, file: file)
        #expect(config.token == "rtok_flag")
        #expect(config.name == "flag-name")
        #expect(config.server == ServerAddress(host: "10.0.0.1", port: 7000))
        #expect(config.dataPort == 7002)
        #expect(config.poolName == "gpu")
        #expect(config.workspaceBase == "/data/ws")
    }

    @Test func canonicalEnvironmentNameWinsOverAlias() throws {
        let config = try resolve(env: [
            "MARIONETTE_RUNNER_TOKEN": "rtok_x", "MARIONETTE_SERVER_ADDRESS": "a:1", "MARIONETTE_SERVER": "b:2",
            "MARIONETTE_LOGGING_LEVEL": "debug", "MARIONETTE_LOG_LEVEL": "error",
        ])
        #expect(config.server.host == "a")
        #expect(config.logLevel == "debug")
    }

    @Test func heartbeatIntervalForms() throws {
        for (text, expected) in [("500ms", Duration.milliseconds(500)), ("2s", .seconds(2)), ("15", .seconds(15))] {
            let config = try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_HEARTBEAT_INTERVAL": text])
            #expect(config.heartbeatInterval == expected)
        }
        #expect(throws: AgentConfigurationError.self) {
            try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_HEARTBEAT_INTERVAL": "0"])
        }
    }

    @Test func validation() {
        let base = ["MARIONETTE_RUNNER_TOKEN": "t"]
        for (key, value) in [
            ("MARIONETTE_SANDBOX_MODE", "weird"), ("MARIONETTE_LOGGING_FORMAT", "xml"), ("MARIONETTE_TLS_ENABLED", "maybe"),
            ("MARIONETTE_SERVER_ADDRESS", "host:99999"), ("MARIONETTE_TLS_CERT_FILE", "/c.pem"),
        ] {
            #expect(throws: AgentConfigurationError.self, "\(key)=\(value)") {
                try resolve(env: base.merging([key: value]) { $1 })
            }
        }
    }

    @Test func tlsAndDataPortAndLabels() throws {
        var flags = AgentFlags()
        flags.dataPort = 12000
        flags.labels = ["gpu=a100", "zone=eu"]
        let config = try resolve(
            flags,
            env: [
                "MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_TLS_ENABLED": "true", "MARIONETTE_TLS_CA_FILE": "/ca.pem",
                "MARIONETTE_TLS_SKIP_VERIFY": "1",
            ],
            file: ["runner.labels.os": "linux"])
        #expect(config.usesTLS && config.tls.skipVerify && config.tls.caFile == "/ca.pem")
        #expect(config.dataPort == 12000)
        #expect(config.labels == ["gpu": "a100", "zone": "eu", "os": "linux"])
    }

    @Test func configFileIsFlattened() throws {
        let file = try AgentConfigFile.parse(
            """
            server:
              address: fabric.example.com:9443
            runner:
              token: rtok_yaml
              labels:
                gpu: "true"
            heartbeat:
              interval: 5s
            """)
        #expect(file["server.address"] == "fabric.example.com:9443")
        #expect(file["runner.labels.gpu"] == "true")
        let config = try resolve(file: file)
        #expect(config.token == "rtok_yaml")
        #expect(config.heartbeatInterval == .seconds(5))
        #expect(config.labels["gpu"] == "true")
    }

    /// `tunnels.dial_timeout` / `tunnels.blocked_ports` (orchestration.md §3.1): a YAML list or
    /// the environment's comma list, ports and ranges; bad entries stop the start with the entry named.
    @Test func tunnelSettings() throws {
        let defaults = try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t"]).tunnels
        #expect(defaults.dialTimeout == .seconds(5) && defaults.blockedPorts.isEmpty && defaults.standbyStreams == 32)
        let file = try AgentConfigFile.parse(
            """
            runner: {token: t}
            tunnels:
              dial_timeout: 2s
              blocked_ports: [22, 6000-6063, 5432]
            """)
        let fromFile = try resolve(file: file).tunnels
        #expect(fromFile.dialTimeout == .seconds(2))
        #expect(fromFile.blockedPorts.description == "22,5432,6000-6063")
        let fromEnvironment = try resolve(
            env: ["MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_TUNNELS_BLOCKED_PORTS": "3000, 3001 2999", "MARIONETTE_TUNNELS_DIAL_TIMEOUT": "750ms"],
            file: file
        ).tunnels
        #expect(fromEnvironment.dialTimeout == .milliseconds(750))
        #expect(fromEnvironment.blockedPorts.ranges == [2999...3001])
        #expect(try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t"]).summary.contains("tunnel_blocked_ports=none"))
        for bad in ["0", "65536", "80-70", "x", "-5", "5-", "1-2-3"] {
            let error = #expect(throws: AgentConfigurationError.self, "\(bad)") {
                try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_TUNNELS_BLOCKED_PORTS": bad])
            }
            #expect(error?.description.contains("\"\(bad)\"") == true)
        }
        #expect(throws: AgentConfigurationError.self) {
            try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_TUNNELS_DIAL_TIMEOUT": "0s"])
        }
        #expect(try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_TUNNELS_STANDBY_STREAMS": "0"]).tunnels.standbyStreams == 0)
        for bad in ["-1", "65", "many"] {
            #expect(throws: AgentConfigurationError.self, "\(bad)") {
                try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t", "MARIONETTE_TUNNELS_STANDBY_STREAMS": bad])
            }
        }
    }

    @Test func blockedPortsMatchTheirRanges() throws {
        let ports = try TunnelBlockedPorts(parsing: "22,6000-6063,6050-6100 8080,23")
        #expect(ports.ranges == [22...23, 6000...6100, 8080...8080])
        #expect(ports.contains(22) && ports.contains(23) && ports.contains(6000) && ports.contains(6100) && ports.contains(8080))
        #expect(!ports.contains(21) && !ports.contains(24) && !ports.contains(5999) && !ports.contains(6101))
        #expect(try TunnelBlockedPorts(parsing: " , ").isEmpty)
    }

    @Test func executorsFromTheConfigFile() throws {
        let defaults = try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t"]).executors
        #expect(defaults == AgentConfiguration.Executors())
        #expect(defaults.claudePermissionWait == .seconds(1800) && defaults.codexSandbox == "workspace-write")
        let file = try AgentConfigFile.parse(
            """
            runner: {token: t}
            executors:
              claude:
                binary: /opt/claude/bin/claude
                permission_wait: 90s
                permission_gating: false
                extra_args: [--max-turns, "5"]
              codex:
                sandbox: read-only
                permission_gating: "no"
            """)
        let executors = try resolve(file: file).executors
        #expect(executors.claudeBinary == "/opt/claude/bin/claude")
        #expect(executors.claudePermissionWait == .seconds(90))
        #expect(!executors.claudePermissionGating && !executors.codexPermissionGating)
        #expect(executors.claudeExtraArguments == ["--max-turns", "5"])
        #expect(executors.codexSandbox == "read-only" && executors.codexBinary.isEmpty)
        for (key, value) in [
            ("executors.claude.permission_wait", "soon"), ("executors.codex.sandbox", "yolo"),
            ("executors.claude.permission_gating", "perhaps"),
        ] {
            #expect(throws: AgentConfigurationError.self, "\(key)=\(value)") {
                try resolve(env: ["MARIONETTE_RUNNER_TOKEN": "t"], file: [key: value])
            }
        }
    }
}

@Suite struct ServerAddressTests {
    @Test func parsing() {
        #expect(ServerAddress(parsing: "localhost:9090") == ServerAddress(host: "localhost", port: 9090))
        #expect(ServerAddress(parsing: "example.com") == ServerAddress(host: "example.com", port: 9090))
        #expect(ServerAddress(parsing: "[::1]:7000") == ServerAddress(host: "::1", port: 7000))
        #expect(ServerAddress(parsing: "::1") == ServerAddress(host: "::1", port: 9090))
        #expect(ServerAddress(parsing: "http://10.1.2.3:80/") == ServerAddress(host: "10.1.2.3", port: 80))
        for bad in ["", ":9090", "host:0", "host:x", "a:b:c", "[zz]:1", "ho st:1"] {
            #expect(ServerAddress(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func loopback() {
        #expect(ServerAddress(host: "localhost", port: 1).isLoopback)
        #expect(ServerAddress(host: "127.0.0.1", port: 1).isLoopback)
        #expect(ServerAddress(host: "127.9.9.9", port: 1).isLoopback)
        #expect(ServerAddress(host: "::1", port: 1).isLoopback)
        #expect(!ServerAddress(host: "10.0.0.1", port: 1).isLoopback)
        #expect(!ServerAddress(host: "example.com", port: 1).isLoopback)
        #expect(ServerAddress(host: "::1", port: 7).description == "[::1]:7")
        #expect(ServerAddress(host: "::1", port: 7).with(port: 9).port == 9)
    }
}
