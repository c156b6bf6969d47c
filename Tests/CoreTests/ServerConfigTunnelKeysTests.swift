import Core
import Testing

/// The tunnel keys streaming.md §7 asks for, and `server.trusted_proxies` checked as networks.
@Suite struct ServerConfigTunnelKeysTests {
    @Test func tunnelTimeoutsAndRateHaveTheSpecsDefaultsAndParse() throws {
        var config = ServerConfig()
        #expect(config.tunnels.responseHeaderTimeoutSeconds == 60)
        #expect(config.tunnels.websocketUpgradeTimeoutSeconds == 30)
        #expect(config.tunnels.newConnectionsPerSecond == 100)
        try config.apply(key: "tunnels.response_header_timeout_seconds", value: "5")
        try config.apply(key: "tunnels.websocket_upgrade_timeout_seconds", value: "2")
        try config.apply(key: "tunnels.new_connections_per_second", value: "0")
        #expect(config.tunnels.responseHeaderTimeoutSeconds == 5)
        #expect(config.tunnels.websocketUpgradeTimeoutSeconds == 2)
        #expect(config.tunnels.newConnectionsPerSecond == 0)
        #expect(throws: ServerConfig.ConfigError.self) { try config.apply(key: "tunnels.response_header_timeout_seconds", value: "0") }
        #expect(ServerConfig.key(forEnvironmentName: "MARIONETTE_TUNNELS_NEW_CONNECTIONS_PER_SECOND") == "tunnels.new_connections_per_second")
    }

    @Test func tunnelLifetimesAndThePathFormAreChecked() throws {
        var config = ServerConfig()
        #expect(config.tunnels.defaultTTLSeconds == 3600 && config.tunnels.maxTTLSeconds == 86_400 && config.tunnels.pathFormEnabled)
        try config.apply(key: "tunnels.default_ttl_seconds", value: "7200")
        try config.apply(key: "tunnels.max_ttl_seconds", value: "3600")
        #expect(throws: ServerConfig.ConfigError.self) { try config.validate() }
        try config.apply(key: "tunnels.max_ttl_seconds", value: "7200")
        try config.validate()
        try config.apply(key: "tunnels.path_form_enabled", value: "false")
        try config.validate()
        try config.apply(key: "tunnels.url_mode", value: "path")
        #expect(throws: ServerConfig.ConfigError.self) { try config.validate() }
    }

    @Test func trustedProxiesAreNetworks() throws {
        var config = ServerConfig()
        try config.apply(key: "server.trusted_proxies", value: "", values: ["10.0.0.0/8", "192.168.1.7", "::1"])
        #expect(config.trustedProxies == ["10.0.0.0/8", "192.168.1.7", "::1"])
        #expect(throws: ServerConfig.ConfigError.self) {
            try config.apply(key: "server.trusted_proxies", value: "", values: ["10.0.0.0/8", "proxy.internal"])
        }
    }
}
