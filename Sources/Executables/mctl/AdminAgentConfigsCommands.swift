import ArgumentParser
import Client

extension AdminCommand {
    struct AgentConfigs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent-configs",
            abstract: "Manage agent configs: managed agent credentials (the key is stored encrypted, never shown).",
            subcommands: [Create.self, List.self, Get.self, Update.self, Delete.self],
            aliases: ["agent-config"]
        )
    }
}

/// The global flags without `-k/--api-key`: in `agent-configs create|update`, `--api-key` is the
/// provider key being stored (cli.md), and admin calls never use the public API key anyway.
struct AdminGlobalOptions: ParsableArguments {
    @Option(name: [.customShort("s"), .customLong("server")], help: "Public API base URL (e.g. http://localhost:8080).")
    var server: String?
    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table
    @Option(name: .customLong("config"), help: "CLI config file.") var config: String?
    @Option(name: .customLong("context"), help: "Named context of the config file.") var context: String?
    @Flag(name: .customLong("insecure-skip-tls-verify"), help: "Skip TLS certificate verification.")
    var insecureSkipTLSVerify = false

    func global() throws -> GlobalOptions {
        try .from(server: server, output: output, config: config, context: context, insecureSkipTLSVerify: insecureSkipTLSVerify)
    }
}

/// The options `create` and `update` share.
struct AgentConfigSettingsOptions: ParsableArguments {
    @Option(help: "Model the agent CLI uses (e.g. claude-sonnet-4-5).") var model: String?
    @Option(name: .customLong("base-url"), help: "Provider API base URL (ANTHROPIC_BASE_URL / OPENAI_BASE_URL).") var baseURL: String?
    @Option(help: "Extra settings as a JSON object (system_prompt, allowed_tools, command…).") var extra: String?
    @Option(name: [.customLong("label"), .customLong("labels")], help: "Labels k=v.") var label: [String] = []

    func validate() throws {
        _ = try parseLabels(label)
        _ = try extraObject()
    }

    func extraObject() throws -> JSONValue? {
        guard let extra else { return nil }
        guard let value = try? JSONParser.parse(extra), value.objectValue != nil else {
            throw ValidationError("--extra must be a JSON object, e.g. '{\"system_prompt\":\"Be brief\"}'")
        }
        return value
    }

    func apply(to body: inout AgentConfigRequest) throws {
        body.model = model
        body.baseURL = baseURL
        body.extra = try extraObject()
        let labels = try parseLabels(label)
        if !labels.isEmpty { body.labels = labels }
    }
}

extension AdminCommand.AgentConfigs {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an agent config with a provider key.")

        @Option(help: "Unique name.") var name: String
        @Option(help: "Agent: claude, codex, custom or a custom agent name.") var agent: String = "claude"
        @Option(name: .customLong("api-key"), help: "Provider API key, @file, or - for stdin (prefer @file or -: no shell history).")
        var apiKey: String
        @Flag(name: .customLong("default"), help: "Use for sessions of this agent that name neither a key nor a config.")
        var isDefault = false
        @OptionGroup var settings: AgentConfigSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var globals: AdminGlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            var body = AgentConfigRequest()
            body.name = name
            body.agent = agent
            body.apiKey = try readSecret(apiKey)
            if isDefault { body.isDefault = true }
            try settings.apply(to: &body)
            let context = CommandContext(global: try globals.global(), requestTimeout: request.seconds)
            let created = try await context.withAdmin(admin) { try await $0.createAgentConfig(body) }
            context.printer.object(created, view: Views.agentConfig)
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List agent configs.", aliases: ["ls"])

        @Option(help: "Only configs of this agent.") var agent: String?
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { try await $0.listAgentConfigs(agent: agent, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.agentConfig)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show an agent config (never its key).")

        @Argument(help: "Agent config ID.") var configID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let config = try await context.withAdmin(admin) { client in
                try await notFound("agent config", configID) { try await client.getAgentConfig(configID) }
            }
            context.printer.object(config, view: Views.agentConfig)
        }
    }

    struct Update: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Change an agent config (only what is given).")

        @Argument(help: "Agent config ID.") var configID: String
        @Option(help: "New name.") var name: String?
        @Option(name: .customLong("api-key"), help: "New provider API key, @file, or - for stdin.") var apiKey: String?
        @Option(name: .customLong("default"), help: "Make (true) or stop being (false) the agent's default.") var isDefault: Bool?
        @OptionGroup var settings: AgentConfigSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var globals: AdminGlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            var body = AgentConfigRequest()
            body.name = name
            body.apiKey = try readSecret(apiKey)
            body.isDefault = isDefault
            try settings.apply(to: &body)
            let context = CommandContext(global: try globals.global(), requestTimeout: request.seconds)
            let config = try await context.withAdmin(admin) { client in
                try await notFound("agent config", configID) { try await client.updateAgentConfig(configID, body) }
            }
            context.printer.object(config, view: Views.agentConfig)
        }
    }

    struct Delete: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete an agent config and its key (sessions using it lose it).")

        @Argument(help: "Agent config ID.") var configID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAdmin(admin) { client in
                try await notFound("agent config", configID) { try await client.deleteAgentConfig(configID) }
            }
            context.printer.message("Agent config \(configID) deleted.")
        }
    }
}
