import ArgumentParser
import Client
import Foundation

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Manage the CLI config file and its contexts.",
        subcommands: [
            SetContext.self, UseContext.self, CurrentContext.self, GetContexts.self, View.self, DeleteContext.self,
        ]
    )
}

/// `--config` and `-o` for config commands.
struct ConfigFileOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "CLI config file.")
    var config: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table

    var path: String {
        ConfigLocation.path(flag: config, environment: ProcessInfo.processInfo.environment, homeDirectory: NSHomeDirectory())
    }

    func load() throws -> CLIConfig { try CLIConfig.load(path: path) }
}

extension ConfigCommand {
    struct SetContext: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-context",
            abstract: "Create or update a context."
        )

        @Argument(help: "Context name.") var name: String
        @Option(name: [.customShort("s"), .customLong("server")], help: "Public API URL.") var server: String?
        @Option(name: [.customShort("k"), .customLong("api-key")], help: "API key (@file or - for stdin).") var apiKey: String?
        @Option(name: .customLong("admin-server"), help: "Admin API URL.") var adminServer: String?
        @Option(name: .customLong("admin-username"), help: "Admin Basic-auth user.") var adminUsername: String?
        @Option(name: .customLong("admin-password"), help: "Admin password (@file or - for stdin).") var adminPassword: String?
        @Flag(name: .customLong("insecure-skip-tls-verify"), inversion: .prefixedNo, help: "Skip TLS verification for this context.")
        var insecureSkipTLSVerify: Bool?
        @Option(name: .customLong("certificate-authority"), help: "Extra CA bundle for this context.") var certificateAuthority: String?
        @OptionGroup var file: ConfigFileOptions

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("context name must not be empty") }
        }

        func execute() async throws {
            let path = file.path
            var config = try CLIConfig.load(path: path)
            var context = config.context(named: name) ?? ContextConfig()
            if let server { context.server = server }
            if let apiKey { context.apiKey = try readSecret(apiKey) }
            if let adminServer { context.adminServer = adminServer }
            if let adminUsername { context.adminUsername = adminUsername }
            if let adminPassword { context.adminPassword = try readSecret(adminPassword) }
            if let insecureSkipTLSVerify { context.insecureSkipTLSVerify = insecureSkipTLSVerify }
            if let certificateAuthority { context.certificateAuthority = certificateAuthority }
            config.setContext(name, context)
            try config.save(path: path)
            Console.line("Context \"\(name)\" modified.")
        }
    }

    struct UseContext: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "use-context", abstract: "Select the default context.")

        @Argument(help: "Context name.") var name: String
        @OptionGroup var file: ConfigFileOptions

        func execute() async throws {
            let path = file.path
            var config = try CLIConfig.load(path: path)
            guard let context = config.context(named: name) else { throw ConfigError.contextNotFound(name) }
            guard let server = context.server, !server.isEmpty else {
                throw CLIError("context \"\(name)\" has no server. Use mctl config set-context \(name) --server URL")
            }
            config.currentContext = name
            try config.save(path: path)
            Console.line("Switched to context \"\(name)\".")
        }
    }

    struct CurrentContext: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "current-context", abstract: "Print the default context.")

        @OptionGroup var file: ConfigFileOptions

        func execute() async throws {
            guard let current = try file.load().currentContext else { throw CLIError("current-context is not set") }
            Console.line(current)
        }
    }

    struct GetContexts: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get-contexts", abstract: "List the contexts.")

        @OptionGroup var file: ConfigFileOptions

        func execute() async throws {
            let config = try file.load()
            let printer = Printer(format: file.output)
            guard printer.isTable else {
                let items = config.contexts.map { entry -> JSONValue in
                    .object([
                        "name": .string(entry.name),
                        "server": .string(entry.context.server ?? ""),
                        "current": .bool(entry.name == config.currentContext),
                    ])
                }
                return printer.raw(.array(items))
            }
            guard !config.contexts.isEmpty else { return Console.line("No contexts found.") }
            let rows = config.contexts.map { entry in
                [entry.name == config.currentContext ? "*" : "", entry.name, entry.context.server ?? ""]
            }
            Console.out(TableRenderer.render(headers: ["CURRENT", "NAME", "SERVER"], rows: rows))
        }
    }

    struct View: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "view",
            abstract: "Print the config file (keys and passwords redacted unless --raw)."
        )

        @Flag(help: "Show API keys and passwords.") var raw = false
        @OptionGroup var file: ConfigFileOptions

        func execute() async throws {
            let config = try file.load()
            let value = config.value(redactSecrets: !raw)
            if file.output == .json {
                Console.line(JSONWriter.pretty(value))
            } else {
                Console.out(YAMLWriter.yamlOrJSON(value))
            }
        }
    }

    struct DeleteContext: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "delete-context", abstract: "Delete a context.")

        @Argument(help: "Context name.") var name: String
        @OptionGroup var file: ConfigFileOptions

        func execute() async throws {
            let path = file.path
            var config = try CLIConfig.load(path: path)
            guard config.removeContext(name) else { throw ConfigError.contextNotFound(name) }
            try config.save(path: path)
            Console.line("Deleted context \"\(name)\".")
        }
    }
}
