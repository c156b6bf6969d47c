import Client
import Foundation
import Testing

/// A temporary directory removed at the end of the test.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "mctl-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }
}

let diskReader: @Sendable (String) -> String? = { path in
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

@Suite struct ConfigLocationTests {
    @Test func flagWins() {
        let path = ConfigLocation.path(
            flag: "/x/flag.yaml",
            environment: ["MARIONETTE_CLI_CONFIG": "/x/env.yaml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"],
            homeDirectory: "/home/u"
        )
        #expect(path == "/x/flag.yaml")
    }

    @Test func envBeforeXDG() {
        let path = ConfigLocation.path(
            flag: nil,
            environment: ["MARIONETTE_CLI_CONFIG": "/x/env.yaml", "XDG_CONFIG_HOME": "/xdg"],
            homeDirectory: "/home/u"
        )
        #expect(path == "/x/env.yaml")
    }

    @Test func xdgThenHome() {
        #expect(
            ConfigLocation.path(flag: nil, environment: ["XDG_CONFIG_HOME": "/xdg/"], homeDirectory: "/home/u")
                == "/xdg/marionette/config.yaml")
        #expect(
            ConfigLocation.path(flag: nil, environment: ["HOME": "/home/v"], homeDirectory: "/home/u")
                == "/home/v/.config/marionette/config.yaml")
        #expect(
            ConfigLocation.path(flag: nil, environment: [:], homeDirectory: "/home/u")
                == "/home/u/.config/marionette/config.yaml")
        #expect(
            ConfigLocation.path(flag: "", environment: ["XDG_CONFIG_HOME": ""], homeDirectory: "/home/u")
                == "/home/u/.config/marionette/config.yaml")
    }

    @Test func tildeExpansion() {
        #expect(ConfigLocation.path(flag: "~/c.yaml", environment: [:], homeDirectory: "/home/u") == "/home/u/c.yaml")
    }
}

@Suite struct CLIConfigFileTests {
    let sample = """
        current-context: local
        contexts:
          local:
            server: http://127.0.0.1:8080
            api-key: mk_local
            admin-password: secret
          prod:
            server: https://prod.example.com
            api-key: mk_prod
            admin-server: https://admin.example.com
            admin-username: root
            insecure-skip-tls-verify: true
        """

    @Test func parsesContextsInOrder() throws {
        let config = try CLIConfig.parse(yaml: sample)
        #expect(config.currentContext == "local")
        #expect(config.contextNames == ["local", "prod"])
        #expect(config.context(named: "prod")?.adminUsername == "root")
        #expect(config.context(named: "prod")?.insecureSkipTLSVerify == true)
        #expect(config.context(named: "local")?.adminPassword == "secret")
    }

    @Test func emptyAndInvalidFiles() throws {
        #expect(try CLIConfig.parse(yaml: "") == CLIConfig())
        #expect(throws: ConfigError.self) { try CLIConfig.parse(yaml: "- a\n- b\n") }
        #expect(throws: ConfigError.self) { try CLIConfig.parse(yaml: "contexts: [1, 2]\n") }
    }

    @Test func saveCreatesPrivateDirectoryAndFile() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/nested/marionette/config.yaml"
        var config = CLIConfig()
        config.setContext("local", ContextConfig(server: "http://127.0.0.1:8080", apiKey: "mk_1"))
        config.currentContext = "local"
        try config.save(path: path)

        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let dirMode = try FileManager.default.attributesOfItem(atPath: temp.path + "/nested/marionette")[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(dirMode == 0o700)
        #expect(try CLIConfig.load(path: path) == config)
    }

    @Test func missingFileIsEmpty() throws {
        let temp = try TemporaryDirectory()
        #expect(try CLIConfig.load(path: temp.path + "/none.yaml") == CLIConfig())
    }

    @Test func redactsSecrets() throws {
        let config = try CLIConfig.parse(yaml: sample)
        let redacted = try config.yaml(redactSecrets: true)
        #expect(!redacted.contains("mk_local"))
        #expect(!redacted.contains("secret"))
        #expect(redacted.contains("api-key: '[redacted]'"))
        #expect(redacted.contains("server: http://127.0.0.1:8080"))
        let raw = try config.yaml(redactSecrets: false)
        #expect(raw.contains("api-key: mk_local"))
        #expect(try CLIConfig.parse(yaml: raw) == config)
    }

    @Test func deleteClearsCurrentContext() throws {
        var config = try CLIConfig.parse(yaml: sample)
        let removed = config.removeContext("local")
        #expect(removed)
        #expect(config.currentContext == nil)
        let removedAgain = config.removeContext("local")
        #expect(!removedAgain)
        #expect(config.contextNames == ["prod"])
    }
}

@Suite struct SettingsResolverTests {
    let config = CLIConfig(
        currentContext: "local",
        contexts: [
            ("local", ContextConfig(server: "http://ctx-local:8080", apiKey: "mk_ctx_local", adminPassword: "ctxpw")),
            ("prod", ContextConfig(server: "https://prod.example.com/", apiKey: "mk_ctx_prod", adminServer: "https://admin.prod")),
            ("noserver", ContextConfig(apiKey: "mk_only")),
        ]
    )

    func resolver(env: [String: String] = [:], config: CLIConfig? = nil, cwd: String = "/nonexistent") -> SettingsResolver {
        SettingsResolver(environment: env, config: config ?? self.config, workingDirectory: cwd, readFile: diskReader)
    }

    @Test func flagsBeatEnvironmentBeatContext() throws {
        let env = ["MARIONETTE_API_URL": "http://env:8080", "MARIONETTE_API_KEY": "mk_env"]
        let fromFlags = try resolver(env: env).resolveConnection(.init(server: "http://flag:1", apiKey: "mk_flag"))
        #expect(fromFlags.server == "http://flag:1")
        #expect(fromFlags.apiKey == "mk_flag")

        let fromEnv = try resolver(env: env).resolveConnection(.init())
        #expect(fromEnv.server == "http://env:8080")
        #expect(fromEnv.apiKey == "mk_env")

        let mixed = try resolver(env: ["MARIONETTE_API_KEY": "mk_env"]).resolveConnection(.init(server: "http://flag:1"))
        #expect(mixed.server == "http://flag:1")
        #expect(mixed.apiKey == "mk_env")

        let fromContext = try resolver().resolveConnection(.init())
        #expect(fromContext.server == "http://ctx-local:8080")
        #expect(fromContext.apiKey == "mk_ctx_local")
        #expect(fromContext.contextName == "local")
        #expect(fromContext.notice == nil)
    }

    @Test func contextSelectionOrder() throws {
        let byEnv = try resolver(env: ["MARIONETTE_CONTEXT": "prod"]).resolveConnection(.init())
        #expect(byEnv.server == "https://prod.example.com")
        #expect(byEnv.apiKey == "mk_ctx_prod")

        let byFlag = try resolver(env: ["MARIONETTE_CONTEXT": "prod"]).resolveConnection(.init(context: "local"))
        #expect(byFlag.contextName == "local")

        #expect(throws: ConfigError.contextNotFound("nope")) {
            try resolver().resolveConnection(.init(context: "nope"))
        }
    }

    @Test func nothingConfiguredIsAnError() {
        #expect(throws: ConfigError.noClientConfigured) {
            try resolver(config: CLIConfig()).resolveConnection(.init())
        }
        #expect(
            ConfigError.noClientConfigured.description
                == "no API client configured. Use --server and --api-key or configure a context")
    }

    @Test func zeroConfigUsesBootstrapKey() throws {
        let temp = try TemporaryDirectory()
        try temp.write(".marionette/bootstrap-api-key", "mk_bootstrap\n")
        let resolved = try resolver(config: CLIConfig(), cwd: temp.path).resolveConnection(.init())
        #expect(resolved.server == "http://127.0.0.1:8080")
        #expect(resolved.apiKey == "mk_bootstrap")
        #expect(resolved.notice?.contains("bootstrap-api-key") == true)
    }

    @Test func bootstrapKeyOnlyForLoopbackServers() throws {
        let temp = try TemporaryDirectory()
        try temp.write(".marionette/bootstrap-api-key", "mk_bootstrap")
        let local = try resolver(config: CLIConfig(), cwd: temp.path).resolveConnection(.init(server: "http://localhost:8080"))
        #expect(local.apiKey == "mk_bootstrap")
        let remote = try resolver(config: CLIConfig(), cwd: temp.path).resolveConnection(.init(server: "https://remote.example"))
        #expect(remote.apiKey == nil)
        #expect(remote.notice == nil)
        let explicit = try resolver(config: CLIConfig(), cwd: temp.path).resolveConnection(
            .init(server: "http://127.0.0.1:8080", apiKey: "mk_given"))
        #expect(explicit.apiKey == "mk_given")
        #expect(explicit.notice == nil)
    }

    @Test func adminServerDerivation() throws {
        let fromContextServer = try resolver().resolveAdmin(.init(), .init())
        #expect(fromContextServer.server == "http://ctx-local:8081")
        #expect(fromContextServer.credential == .basic(username: "admin", password: "ctxpw"))

        let fromContextAdmin = try resolver().resolveAdmin(.init(context: "prod"), .init(masterKey: "mkey"))
        #expect(fromContextAdmin.server == "https://admin.prod")
        #expect(fromContextAdmin.credential == .bearer("mkey"))

        let fromEnv = try resolver(env: ["MARIONETTE_ADMIN_URL": "http://envadmin:9"]).resolveAdmin(
            .init(), .init(adminServer: nil, username: "u", password: "p"))
        #expect(fromEnv.server == "http://envadmin:9")
        #expect(fromEnv.credential == .basic(username: "u", password: "p"))

        let fromFlag = try resolver(env: ["MARIONETTE_ADMIN_URL": "http://envadmin:9"]).resolveAdmin(
            .init(), .init(adminServer: "http://flagadmin:1", password: "p"))
        #expect(fromFlag.server == "http://flagadmin:1")

        #expect(SettingsResolver.deriveAdminServer("http://h:8080/") == "http://h:8081")
        #expect(SettingsResolver.deriveAdminServer("https://h.example") == "https://h.example")
    }

    @Test func adminCredentialPrecedence() throws {
        let env = [
            "MARIONETTE_ADMIN_USERNAME": "envuser", "MARIONETTE_ADMIN_PASSWORD": "envpw", "MARIONETTE_MASTER_KEY": "envmaster",
        ]
        // Basic from the environment beats the environment master key.
        #expect(try resolver(env: env).resolveAdmin(.init(), .init()).credential == .basic(username: "envuser", password: "envpw"))
        // An explicit --master-key beats Basic credentials from lower layers.
        #expect(try resolver(env: env).resolveAdmin(.init(), .init(masterKey: "flagmaster")).credential == .bearer("flagmaster"))
        // Only the master key in the environment.
        let masterOnly = try resolver(env: ["MARIONETTE_MASTER_KEY": "envmaster"], config: CLIConfig()).resolveAdmin(.init(), .init())
        #expect(masterOnly.credential == .bearer("envmaster"))
        #expect(masterOnly.server == "http://127.0.0.1:8081")
        // Nothing at all.
        #expect(throws: ConfigError.noAdminCredentials) {
            try resolver(config: CLIConfig()).resolveAdmin(.init(), .init())
        }
    }

    @Test func zeroConfigAdminPassword() throws {
        let temp = try TemporaryDirectory()
        try temp.write(".marionette/admin-password", "generated\n")
        let resolved = try resolver(config: CLIConfig(), cwd: temp.path).resolveAdmin(.init(), .init())
        #expect(resolved.server == "http://127.0.0.1:8081")
        #expect(resolved.credential == .basic(username: "admin", password: "generated"))
        #expect(resolved.notice != nil)
        #expect(throws: ConfigError.noAdminCredentials) {
            try resolver(config: CLIConfig(), cwd: temp.path).resolveAdmin(.init(), .init(adminServer: "https://remote.example"))
        }
    }

    @Test func loopbackDetection() {
        #expect(SettingsResolver.isLoopback("http://127.0.0.1:8080"))
        #expect(SettingsResolver.isLoopback("http://localhost"))
        #expect(SettingsResolver.isLoopback("http://[::1]:8080/x"))
        #expect(SettingsResolver.isLoopback("localhost:8080"))
        #expect(!SettingsResolver.isLoopback("https://example.com"))
        #expect(!SettingsResolver.isLoopback("http://127.0.0.1.evil.com"))
    }

    @Test func secretInputForms() throws {
        let readFile: (String) throws -> String = { path in
            #expect(path == "/run/key")
            return "mk_from_file\n"
        }
        #expect(try SecretInput.resolve("@/run/key", readFile: readFile, readStdin: { "" }) == "mk_from_file")
        #expect(try SecretInput.resolve("-", readFile: readFile, readStdin: { " mk_stdin\n" }) == "mk_stdin")
        #expect(try SecretInput.resolve("mk_literal", readFile: readFile, readStdin: { "" }) == "mk_literal")
    }
}
