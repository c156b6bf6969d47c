/// Connection settings for the public API after applying precedence.
public struct ResolvedConnection: Sendable, Equatable {
    public var server: String
    public var apiKey: String?
    /// The context that was consulted, if any.
    public var contextName: String?
    public var insecureSkipTLSVerify: Bool
    /// A note for stderr when a local fallback was used (zero-config).
    public var notice: String?
}

/// Connection settings for the admin API after applying precedence.
public struct ResolvedAdmin: Sendable, Equatable {
    public var server: String
    public var credential: Credential
    public var contextName: String?
    public var insecureSkipTLSVerify: Bool
    public var notice: String?
}

/// Applies the CLI precedence rules: flags > environment > selected context,
/// where the context is chosen by `--context` > `MARIONETTE_CONTEXT` >
/// `current-context`; then the zero-config fallbacks of a local server
/// (`./.marionette/bootstrap-api-key`, `./.marionette/admin-password`).
///
/// Everything it reads comes in as parameters, so it can be tested without
/// touching the real environment.
public struct SettingsResolver: Sendable {
    public static let defaultServer = "http://127.0.0.1:8080"
    public static let defaultAdminServer = "http://127.0.0.1:8081"
    public static let bootstrapKeyPath = ".marionette/bootstrap-api-key"
    public static let adminPasswordPath = ".marionette/admin-password"

    public var environment: [String: String]
    public var config: CLIConfig
    /// Directory holding `.marionette/` for the zero-config fallback.
    public var workingDirectory: String
    /// Reads a file's text, `nil` when missing or unreadable.
    public var readFile: @Sendable (String) -> String?

    public init(
        environment: [String: String],
        config: CLIConfig,
        workingDirectory: String,
        readFile: @escaping @Sendable (String) -> String?
    ) {
        self.environment = environment
        self.config = config
        self.workingDirectory = workingDirectory
        self.readFile = readFile
    }

    /// Public API flags.
    public struct Flags: Sendable, Equatable {
        public var server: String?
        public var apiKey: String?
        public var context: String?
        public var insecureSkipTLSVerify: Bool

        public init(server: String? = nil, apiKey: String? = nil, context: String? = nil, insecureSkipTLSVerify: Bool = false) {
            self.server = server
            self.apiKey = apiKey
            self.context = context
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
        }
    }

    /// Admin flags (on top of the public ones).
    public struct AdminFlags: Sendable, Equatable {
        public var adminServer: String?
        public var username: String?
        public var password: String?
        public var masterKey: String?

        public init(adminServer: String? = nil, username: String? = nil, password: String? = nil, masterKey: String? = nil) {
            self.adminServer = adminServer
            self.username = username
            self.password = password
            self.masterKey = masterKey
        }
    }

    private func env(_ name: String) -> String? { nonEmpty(environment[name]) }

    /// The name of the selected context: `--context` > `MARIONETTE_CONTEXT` > `current-context`.
    public func selectedContextName(flag: String?) -> String? {
        nonEmpty(flag) ?? env("MARIONETTE_CONTEXT") ?? nonEmpty(config.currentContext)
    }

    /// The selected context; naming a context that does not exist is an error.
    public func selectedContext(flag: String?) throws -> (name: String, context: ContextConfig)? {
        guard let name = selectedContextName(flag: flag) else { return nil }
        guard let context = config.context(named: name) else { throw ConfigError.contextNotFound(name) }
        return (name, context)
    }

    /// Server URL, API key and TLS option for the public API.
    public func resolveConnection(_ flags: Flags) throws -> ResolvedConnection {
        let selected = try selectedContext(flag: flags.context)
        let context = selected?.context
        let server = nonEmpty(flags.server) ?? env("MARIONETTE_API_URL") ?? nonEmpty(context?.server)
        var apiKey = nonEmpty(flags.apiKey) ?? env("MARIONETTE_API_KEY") ?? nonEmpty(context?.apiKey)
        let insecure = flags.insecureSkipTLSVerify || (context?.insecureSkipTLSVerify ?? false)
        var notice: String?

        var resolvedServer: String
        if let server {
            resolvedServer = server
        } else if apiKey != nil {
            resolvedServer = Self.defaultServer
        } else {
            // Zero-config: a local server started in this directory.
            guard let key = bootstrapKey() else { throw ConfigError.noClientConfigured }
            resolvedServer = Self.defaultServer
            apiKey = key
            notice = "using \(Self.defaultServer) with the API key from ./\(Self.bootstrapKeyPath)"
        }
        if apiKey == nil, Self.isLoopback(resolvedServer), let key = bootstrapKey() {
            apiKey = key
            notice = "using the API key from ./\(Self.bootstrapKeyPath)"
        }
        resolvedServer = Self.trimTrailingSlashes(resolvedServer)
        return ResolvedConnection(
            server: resolvedServer,
            apiKey: apiKey,
            contextName: selected?.name,
            insecureSkipTLSVerify: insecure,
            notice: notice
        )
    }

    /// Admin URL and credential. Server: `--admin-server` > `MARIONETTE_ADMIN_URL` >
    /// context `admin-server` > the public server with `:8080` replaced by `:8081`.
    /// Credential: Basic from `--admin-username/--admin-password` > `MARIONETTE_ADMIN_*`
    /// > context, or Bearer `--master-key` / `MARIONETTE_MASTER_KEY`; finally the
    /// local `./.marionette/admin-password` for user `admin` on a loopback server.
    public func resolveAdmin(_ flags: Flags, _ admin: AdminFlags) throws -> ResolvedAdmin {
        let selected = try selectedContext(flag: flags.context)
        let context = selected?.context
        let publicServer = nonEmpty(flags.server) ?? env("MARIONETTE_API_URL") ?? nonEmpty(context?.server)
        let server =
            nonEmpty(admin.adminServer) ?? env("MARIONETTE_ADMIN_URL") ?? nonEmpty(context?.adminServer)
            ?? publicServer.map(Self.deriveAdminServer) ?? Self.defaultAdminServer
        let insecure = flags.insecureSkipTLSVerify || (context?.insecureSkipTLSVerify ?? false)

        let flagPassword = nonEmpty(admin.password)
        let flagMasterKey = nonEmpty(admin.masterKey)
        let username = nonEmpty(admin.username) ?? env("MARIONETTE_ADMIN_USERNAME") ?? nonEmpty(context?.adminUsername)
        let password = flagPassword ?? env("MARIONETTE_ADMIN_PASSWORD") ?? nonEmpty(context?.adminPassword)
        let envMasterKey = env("MARIONETTE_MASTER_KEY")

        var credential: Credential?
        var notice: String?
        if let flagPassword {
            credential = .basic(username: username ?? "admin", password: flagPassword)
        } else if let flagMasterKey {
            credential = .bearer(flagMasterKey)
        } else if let password {
            credential = .basic(username: username ?? "admin", password: password)
        } else if let envMasterKey {
            credential = .bearer(envMasterKey)
        } else if Self.isLoopback(server), let local = readTrimmed(Self.adminPasswordPath) {
            credential = .basic(username: username ?? "admin", password: local)
            notice = "using the admin password from ./\(Self.adminPasswordPath)"
        }
        guard let credential else { throw ConfigError.noAdminCredentials }
        return ResolvedAdmin(
            server: Self.trimTrailingSlashes(server),
            credential: credential,
            contextName: selected?.name,
            insecureSkipTLSVerify: insecure,
            notice: notice
        )
    }

    /// `http://host:8080` → `http://host:8081`; other URLs are returned unchanged.
    public static func deriveAdminServer(_ server: String) -> String {
        let trimmed = trimTrailingSlashes(server)
        if trimmed.hasSuffix(":8080") { return String(trimmed.dropLast(5)) + ":8081" }
        return trimmed
    }

    /// Whether the URL's host is a loopback name or address.
    public static func isLoopback(_ server: String) -> Bool {
        var rest = Substring(server)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host: Substring
        if authority.hasPrefix("[") {
            host = authority.dropFirst().prefix { $0 != "]" }
        } else {
            host = authority.prefix { $0 != ":" }
        }
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") || lowered == "::1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    static func trimTrailingSlashes(_ url: String) -> String {
        var url = url.trimmingSpaces()
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    private func bootstrapKey() -> String? { readTrimmed(Self.bootstrapKeyPath) }

    private func readTrimmed(_ relative: String) -> String? {
        let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        return nonEmpty(readFile(base + relative)?.trimmingSpaces())
    }
}
