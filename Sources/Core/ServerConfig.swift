/// The server's configuration model (orchestration.md §11). Defaults are the embedded default:
/// SQLite in `./.marionette`, every listener on loopback. Loading (YAML, environment, flags) lives
/// in the server executable; this type only knows keys, defaults and validation.
public struct ServerConfig: Sendable, Equatable {
    public enum DatabaseDriver: String, Sendable { case sqlite, postgres }

    public var dataDir = "./.marionette"
    public var apiHost = "127.0.0.1"
    public var apiPort = 8080
    public var adminHost = "127.0.0.1"
    public var adminPort = 8081
    public var grpcHost = "127.0.0.1"
    public var grpcPort = 9090
    /// The fabric data connection port; nil = grpc port + 2 (runner-protocol.md §10).
    public var fabricDataPort: Int?
    public var mediaPort = 7881
    /// `sfu.*` beyond the port (streaming.md §8); nil bind host = the API host.
    public var sfuBindHost: String?
    public var sfuPublicIPs: [String] = []
    public var sfuMaxViewersPerStream = 50
    public var sfuMaxViewersTotal = 1000
    /// Floor of a stream's bitrate target from its viewers' estimates (`sfu.bitrate_min_kbps`).
    public var sfuBitrateMinKbps = 300
    /// The SFU socket's send queue bound, in MTU-sized packets (`sfu.viewer_queue_packets`).
    public var sfuViewerQueuePackets = 512
    /// SFU event loops with a socket each (`sfu.workers`); nil = one per CPU core.
    public var sfuWorkers: Int?
    /// Test builds only: share of outgoing media packets the SFU drops on purpose.
    public var sfuTestDropEgressPercent = 0
    public var insecureFabric = false
    public var devInsecureAdmin = false
    public var publicURL: String?
    public var corsOrigins = ["http://localhost:*", "http://127.0.0.1:*"]
    public var trustedProxies: [String] = []
    public var databaseDriver: DatabaseDriver?
    public var sqlitePath: String?
    public var databaseMaxConnections = 25
    public var multiTenant = false
    public var logLevel = "info"
    public var logFormat = "json"
    public var defaultTaskTimeoutSeconds = 3600
    /// `permissions.default_suspend_after_seconds`: an unanswered permission request suspends its
    /// session after this long.
    public var permissionSuspendAfterSeconds = 1800
    public var defaultNetworkPolicy = "none"
    public var defaultPermissionPolicy = "ask"
    public var providerDefault = "local"
    public var maxBodyBytes = 1 << 20
    public var heartbeatIntervalSeconds = 30
    public var runnerStaleAfterSeconds = 90
    public var disconnectGraceSeconds = 15
    public var localMaxRunners = 4
    /// `tunnels.*` (api.md §9, streaming.md §7).
    public var tunnels = Tunnels()
    /// `webhooks.*` (api.md §14.2, orchestration.md).
    public var webhooks = Webhooks()
    /// `pricing.models.*`: the cost of runs whose agent reports none (Codex).
    public var pricing = ModelPricing()
    /// `observability.metrics.*`: `/metrics` is always on the admin listener; `enabled` also
    /// serves it on a listener of its own (orchestration.md §11).
    public var metricsListener = MetricsListener()

    public struct MetricsListener: Sendable, Equatable {
        public var enabled = false
        /// Empty: the admin listener's host.
        public var host = ""
        public var port = 9091
        public var path = "/metrics"
        public init() {}
    }

    public struct Webhooks: Sendable, Equatable {
        /// Deliveries in flight at once.
        public var workers = 4
        /// Due deliveries claimed per round.
        public var batchSize = 100
        /// Events whose body is larger are not delivered.
        public var maxPayloadBytes = 10 << 20
        /// Allows URLs that resolve to loopback, link-local or private addresses (SSRF guard off).
        public var allowPrivate = false
        public init() {}
    }

    public struct Tunnels: Sendable, Equatable {
        /// Mounts the HTTP entry points and binds TCP tunnel ports.
        public var enabled = true
        /// `{id}.<domain>` hosts reach tunnels; `*.localhost` resolves to loopback in browsers.
        public var domain = "tunnels.localhost"
        /// Which form `public_url` takes: `subdomain` or `path`.
        public var urlMode = "subdomain"
        public var tcpPortRange: ClosedRange<Int> = 20000...20999
        /// Where TCP tunnel ports listen; nil = the public API host.
        public var tcpBindHost: String?
        /// `public_host` of TCP tunnels; nil = the host of `server.public_url`.
        public var tcpPublicHost: String?
        public var tcpDefaultAllowCIDRs = ["127.0.0.0/8", "::1/128"]
        public var maxPerSession = 20
        public var maxConnectionsPerTunnel = 1000
        /// A tunnel connection with no bytes either way for this long is reset.
        public var idleTimeoutSeconds = 300
        /// A request sent whole that gets no response head for this long is answered 504.
        public var responseHeaderTimeoutSeconds = 60
        /// The same for the answer to a WebSocket (or other) upgrade request.
        public var websocketUpgradeTimeoutSeconds = 30
        /// New connections a second each TCP tunnel accepts; more are reset (0: no limit).
        public var newConnectionsPerSecond = 100
        /// A tunnel's life when create names none (`ttl_seconds`)...
        public var defaultTTLSeconds = 3600
        /// ... and the most it may ask for (longer asks are cut to this).
        public var maxTTLSeconds = 86_400
        /// `/tunnels/{id}/…` on the public port reaches tunnels; off, only the subdomain form does
        /// (the path form shares the API's origin, and so its cookies: auth-security.md §12).
        public var pathFormEnabled = true
        public init() {}
    }
    /// TLS for the public, admin, gRPC and fabric data listeners (auth-security.md "TLS").
    public var tls = TLSFiles()

    /// The `tls.*` keys: a certificate and key to serve, and for mTLS the CA runners' certificates chain to.
    public struct TLSFiles: Sendable, Equatable {
        public var enabled = false
        public var certFile = ""
        public var keyFile = ""
        public var caFile = ""
        public var verifyClient = false
        /// How often the certificate and key files are read again (a renewed pair needs no restart).
        public var reloadIntervalSeconds = 10
        public init() {}
    }

    /// Secrets: only from the environment, never from the file or flags.
    public var databaseURL: String?
    public var masterKey: String?
    public var encryptionKey: String?
    /// `MARIONETTE_ENCRYPTION_KEY_ID`: the KEK's name in `data_keys.kek_id` (not secret).
    public var encryptionKeyID: String?
    /// `MARIONETTE_ENCRYPTION_KEY_PREVIOUS`: the KEK being rotated away from; data keys it sealed
    /// are opened with it and re-wrapped under the current key at start.
    public var encryptionKeyPrevious: String?
    public var uiUsername: String?
    public var uiPassword: String?

    public init() {}

    public var resolvedFabricDataPort: Int { fabricDataPort ?? grpcPort + 2 }
    public var resolvedDriver: DatabaseDriver { databaseDriver ?? (databaseURL == nil ? .sqlite : .postgres) }
    public var resolvedSQLitePath: String { sqlitePath ?? dataDir + "/marionette.db" }
    public var resolvedPublicURL: String { publicURL ?? "\(tls.enabled ? "https" : "http")://localhost:\(apiPort)" }

    /// Every key accepted in the config file and as `MARIONETTE_<KEY_PATH>`.
    public static let keys: [String] = [
        "server.data_dir", "server.public_url", "server.trusted_proxies",
        "server.api.host", "server.api.port", "server.api.cors_origins", "server.api.max_body_bytes",
        "server.admin.host", "server.admin.port", "server.admin.insecure",
        "server.grpc.host", "server.grpc.port", "server.grpc.insecure", "server.grpc.data_port",
        "sfu.port", "sfu.udp_port", "sfu.bind_host", "sfu.public_ips", "sfu.max_viewers_per_stream",
        "sfu.max_viewers_total", "sfu.bitrate_min_kbps", "sfu.viewer_queue_packets", "sfu.workers",
        "sfu.test_drop_egress_percent", "database.driver", "database.sqlite_path", "database.max_open_conns", "multi_tenant",
        "logging.level", "logging.format", "tasks.default_timeout_seconds", "permissions.default_suspend_after_seconds",
        "sessions.default_network_policy", "sessions.default_permission_policy", "providers.default",
        "runners.heartbeat_interval_seconds", "runners.stale_after_seconds", "runners.disconnect_grace_seconds",
        "providers.local.max_runners",
        "tls.enabled", "tls.cert_file", "tls.key_file", "tls.ca_file", "tls.verify_client",
        "tls.reload_interval_seconds", "webhooks.workers", "webhooks.batch_size", "webhooks.max_payload_bytes", "webhooks.allow_private",
        "observability.metrics.enabled", "observability.metrics.host", "observability.metrics.port",
        "observability.metrics.path",
        "tunnels.enabled", "tunnels.domain", "tunnels.url_mode", "tunnels.tcp_port_range", "tunnels.tcp_bind_host",
        "tunnels.tcp_public_host", "tunnels.tcp_default_allow_cidrs", "tunnels.max_per_session",
        "tunnels.max_connections_per_tunnel", "tunnels.idle_timeout_seconds", "tunnels.response_header_timeout_seconds",
        "tunnels.websocket_upgrade_timeout_seconds", "tunnels.new_connections_per_second", "tunnels.default_ttl_seconds",
        "tunnels.max_ttl_seconds", "tunnels.path_form_enabled",
    ]

    public enum ConfigError: Error, Equatable, CustomStringConvertible {
        case invalid(key: String, message: String)
        case unknownKey(String)

        public var description: String {
            switch self {
            case .invalid(let key, let message): return "config key \(key): \(message)"
            case .unknownKey(let key): return "unknown config key \(key)"
            }
        }
    }

    /// Sets one dotted key from its textual value (YAML scalars and environment values alike).
    /// Lists are given as YAML lists (`values`) or comma-separated text.
    public mutating func apply(key: String, value: String, values: [String]? = nil) throws(ConfigError) {
        if ModelPricing.isKey(key) { return try pricing.apply(key: key, value: value) }
        func port() throws(ConfigError) -> Int {
            guard let n = Int(value), (1...65535).contains(n) else {
                throw .invalid(key: key, message: "must be a port number 1..65535, got \"\(value)\"")
            }
            return n
        }
        func int(min: Int = 0) throws(ConfigError) -> Int {
            guard let n = Int(value), n >= min else {
                throw .invalid(key: key, message: "must be an integer ≥ \(min), got \"\(value)\"")
            }
            return n
        }
        func bool() throws(ConfigError) -> Bool {
            switch value.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw .invalid(key: key, message: "must be true or false, got \"\(value)\"")
            }
        }
        func oneOf(_ allowed: [String]) throws(ConfigError) -> String {
            guard allowed.contains(value) else {
                throw .invalid(key: key, message: "must be one of \(allowed.joined(separator: ", ")), got \"\(value)\"")
            }
            return value
        }
        let list = values ?? value.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        switch key {
        case "server.data_dir":
            guard !value.isEmpty else { throw .invalid(key: key, message: "must not be empty") }
            dataDir = value
        case "server.public_url": publicURL = value
        case "server.trusted_proxies":
            if let bad = list.first(where: { CIDR($0) == nil }) {
                throw .invalid(key: key, message: "must list networks such as 10.0.0.0/8 or addresses, got \"\(bad)\"")
            }
            trustedProxies = list
        case "server.api.host": apiHost = value
        case "server.api.port": apiPort = try port()
        case "server.api.cors_origins": corsOrigins = list
        case "server.api.max_body_bytes": maxBodyBytes = try int(min: 1024)
        case "server.admin.host": adminHost = value
        case "server.admin.port": adminPort = try port()
        case "server.admin.insecure": devInsecureAdmin = try bool()
        case "server.grpc.host": grpcHost = value
        case "server.grpc.port": grpcPort = try port()
        case "server.grpc.insecure": insecureFabric = try bool()
        case "server.grpc.data_port": fabricDataPort = try port()
        case "sfu.port", "sfu.udp_port": mediaPort = try port()
        case "sfu.bind_host": sfuBindHost = value
        case "sfu.public_ips": sfuPublicIPs = list
        case "sfu.max_viewers_per_stream": sfuMaxViewersPerStream = try int(min: 1)
        case "sfu.max_viewers_total": sfuMaxViewersTotal = try int(min: 1)
        case "sfu.bitrate_min_kbps": sfuBitrateMinKbps = try int(min: 1)
        case "sfu.viewer_queue_packets": sfuViewerQueuePackets = try int(min: 1)
        case "sfu.workers": sfuWorkers = try int(min: 1)
        case "sfu.test_drop_egress_percent":
            let percent = try int(min: 0)
            guard percent <= 100 else { throw .invalid(key: key, message: "must be 0..100, got \(percent)") }
            sfuTestDropEgressPercent = percent
        case "database.driver":
            databaseDriver = DatabaseDriver(rawValue: try oneOf(["sqlite", "postgres"]))
        case "database.sqlite_path": sqlitePath = value
        case "database.max_open_conns": databaseMaxConnections = try int(min: 1)
        case "multi_tenant": multiTenant = try bool()
        case "logging.level": logLevel = try oneOf(["trace", "debug", "info", "warn", "error"])
        case "logging.format": logFormat = try oneOf(["json", "console"])
        case "tasks.default_timeout_seconds": defaultTaskTimeoutSeconds = try int(min: 1)
        case "permissions.default_suspend_after_seconds": permissionSuspendAfterSeconds = try int(min: 1)
        case "sessions.default_network_policy":
            defaultNetworkPolicy = try oneOf(["none", "allow_list", "proxy", "air_gapped"])
        case "sessions.default_permission_policy": defaultPermissionPolicy = try oneOf(["ask", "auto"])
        case "providers.default": providerDefault = try oneOf(["local", "none", "docker", "kubernetes", "e2b", "pool"])
        case "runners.heartbeat_interval_seconds": heartbeatIntervalSeconds = try int(min: 1)
        case "runners.stale_after_seconds": runnerStaleAfterSeconds = try int(min: 3)
        case "runners.disconnect_grace_seconds": disconnectGraceSeconds = try int(min: 0)
        case "providers.local.max_runners": localMaxRunners = try int(min: 1)
        case "tls.enabled": tls.enabled = try bool()
        case "tls.cert_file": tls.certFile = value
        case "tls.key_file": tls.keyFile = value
        case "tls.ca_file": tls.caFile = value
        case "tls.verify_client": tls.verifyClient = try bool()
        case "tls.reload_interval_seconds": tls.reloadIntervalSeconds = try int(min: 1)
        case "webhooks.workers": webhooks.workers = try int(min: 1)
        case "webhooks.batch_size": webhooks.batchSize = try int(min: 1)
        case "webhooks.max_payload_bytes": webhooks.maxPayloadBytes = try int(min: 1024)
        case "webhooks.allow_private": webhooks.allowPrivate = try bool()
        case "observability.metrics.enabled": metricsListener.enabled = try bool()
        case "observability.metrics.host": metricsListener.host = value
        case "observability.metrics.port": metricsListener.port = try port()
        case "observability.metrics.path":
            guard value.hasPrefix("/"), value.count > 1, !value.contains("?") else {
                throw .invalid(key: key, message: "must be a path such as /metrics, got \"\(value)\"")
            }
            metricsListener.path = value
        case "tunnels.enabled": tunnels.enabled = try bool()
        case "tunnels.domain":
            let domain = value.lowercased()
            guard !domain.isEmpty, !domain.hasPrefix("."), !domain.contains("/"), !domain.contains(":") else {
                throw .invalid(key: key, message: "must be a host name such as tunnels.localhost, got \"\(value)\"")
            }
            tunnels.domain = domain
        case "tunnels.url_mode": tunnels.urlMode = try oneOf(["subdomain", "path"])
        case "tunnels.tcp_port_range":
            let bounds = value.split(separator: "-").compactMap { Int($0.trimmingSpaces()) }
            guard bounds.count == 2, (1...65535).contains(bounds[0]), (bounds[0]...65535).contains(bounds[1]) else {
                throw .invalid(key: key, message: "must look like 20000-20999, got \"\(value)\"")
            }
            tunnels.tcpPortRange = bounds[0]...bounds[1]
        case "tunnels.tcp_bind_host": tunnels.tcpBindHost = value
        case "tunnels.tcp_public_host": tunnels.tcpPublicHost = value
        case "tunnels.tcp_default_allow_cidrs": tunnels.tcpDefaultAllowCIDRs = list
        case "tunnels.max_per_session": tunnels.maxPerSession = try int(min: 1)
        case "tunnels.max_connections_per_tunnel": tunnels.maxConnectionsPerTunnel = try int(min: 1)
        case "tunnels.idle_timeout_seconds": tunnels.idleTimeoutSeconds = try int(min: 1)
        case "tunnels.response_header_timeout_seconds": tunnels.responseHeaderTimeoutSeconds = try int(min: 1)
        case "tunnels.websocket_upgrade_timeout_seconds": tunnels.websocketUpgradeTimeoutSeconds = try int(min: 1)
        case "tunnels.new_connections_per_second": tunnels.newConnectionsPerSecond = try int(min: 0)
        case "tunnels.default_ttl_seconds": tunnels.defaultTTLSeconds = try int(min: 1)
        case "tunnels.max_ttl_seconds": tunnels.maxTTLSeconds = try int(min: 1)
        case "tunnels.path_form_enabled": tunnels.pathFormEnabled = try bool()
        default: throw .unknownKey(key)
        }
    }

    /// Maps `MARIONETTE_SERVER_API_PORT` to `server.api.port` by matching the known key set.
    public static func key(forEnvironmentName name: String) -> String? {
        guard name.hasPrefix("MARIONETTE_") else { return nil }
        let path = name.dropFirst("MARIONETTE_".count)
        return keys.first { $0.uppercased().replacingDots() == path }
    }

    /// Checks pairs and cross-field rules that single keys cannot.
    public func validate() throws(ConfigError) {
        if (uiUsername == nil) != (uiPassword == nil) {
            throw .invalid(
                key: "MARIONETTE_UI_USERNAME",
                message: "set both MARIONETTE_UI_USERNAME and MARIONETTE_UI_PASSWORD, or neither")
        }
        if multiTenant, masterKey == nil {
            throw .invalid(key: "multi_tenant", message: "multi-tenant mode requires MARIONETTE_MASTER_KEY")
        }
        if let key = masterKey, key.count < 32 {
            throw .invalid(key: "MARIONETTE_MASTER_KEY", message: "must be at least 32 characters")
        }
        if resolvedDriver == .postgres, databaseURL == nil {
            throw .invalid(key: "database.driver", message: "postgres needs MARIONETTE_DATABASE_URL")
        }
        if tls.enabled, tls.certFile.isEmpty || tls.keyFile.isEmpty {
            throw .invalid(key: "tls.enabled", message: "TLS needs both tls.cert_file and tls.key_file")
        }
        if tls.verifyClient, !tls.enabled || tls.caFile.isEmpty {
            throw .invalid(key: "tls.verify_client", message: "client verification needs tls.enabled and tls.ca_file")
        }
        if tunnels.defaultTTLSeconds > tunnels.maxTTLSeconds {
            throw .invalid(
                key: "tunnels.default_ttl_seconds",
                message: "must be at most tunnels.max_ttl_seconds (\(tunnels.maxTTLSeconds)), got \(tunnels.defaultTTLSeconds)")
        }
        if !tunnels.pathFormEnabled, tunnels.urlMode == "path" {
            throw .invalid(key: "tunnels.url_mode", message: "path needs tunnels.path_form_enabled; use subdomain")
        }
        let ports = [apiPort, adminPort, grpcPort, resolvedFabricDataPort]
        if Set(ports).count != ports.count {
            throw .invalid(key: "server.*.port", message: "api, admin, grpc and fabric data ports must differ: \(ports)")
        }
    }

    /// Text for `config print`: secrets never appear.
    public func redactedSummary() -> [(String, String)] {
        func secret(_ value: String?) -> String { value == nil ? "[not set]" : "[redacted]" }
        return [
            ("server.data_dir", dataDir), ("server.api", "\(apiHost):\(apiPort)"),
            ("server.admin", "\(adminHost):\(adminPort)"), ("server.grpc", "\(grpcHost):\(grpcPort)"),
            ("server.grpc.data_port", String(resolvedFabricDataPort)), ("sfu.port", String(mediaPort)),
            ("server.public_url", resolvedPublicURL), ("database.driver", resolvedDriver.rawValue),
            ("database.sqlite_path", resolvedSQLitePath), ("multi_tenant", String(multiTenant)),
            ("logging.level", logLevel), ("tls.enabled", String(tls.enabled)),
            ("tls.verify_client", String(tls.verifyClient)), ("MARIONETTE_DATABASE_URL", secret(databaseURL)),
            ("MARIONETTE_MASTER_KEY", secret(masterKey)), ("MARIONETTE_ENCRYPTION_KEY", secret(encryptionKey)),
            ("MARIONETTE_ENCRYPTION_KEY_ID", encryptionKeyID ?? "[not set]"),
            ("MARIONETTE_ENCRYPTION_KEY_PREVIOUS", secret(encryptionKeyPrevious)),
            ("MARIONETTE_UI_USERNAME", uiUsername ?? "[not set]"), ("MARIONETTE_UI_PASSWORD", secret(uiPassword)),
        ]
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        String(self.map { $0 == "." ? "_" : $0 })
    }
}
