import ArgumentParser
import Client

extension AdminCommand {
    struct ProviderConfigs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "provider-configs",
            abstract: "Manage provider configs: named settings of a runner provider (local, docker, kubernetes, e2b, pool).",
            subcommands: [Create.self, List.self, Get.self, Update.self, Delete.self],
            aliases: ["provider-config"]
        )
    }
}

/// The options `create` and `update` share.
struct ProviderConfigSettingsOptions: ParsableArguments {
    @Option(help: "Provider settings: a JSON object, @file, or - for stdin.") var config: String?
    @Option(name: .customLong("suspend-config"), help: "Suspend settings: JSON object {strategy, min_duration, max_duration, fallback, save_snapshot, sync_workspace}, @file or -.")
    var suspendConfig: String?
    @Option(name: [.customLong("label"), .customLong("labels")], help: "Labels k=v.") var label: [String] = []

    func validate() throws {
        _ = try parseLabels(label)
    }

    var isEmpty: Bool { config == nil && suspendConfig == nil && label.isEmpty }

    func apply(to body: inout ProviderConfigRequest) throws {
        body.config = try JSONArgument.parse(config, flag: "--config", shape: .object, example: #"{"image":"marionette/runner"}"#)
        body.suspendConfig = try JSONArgument.parse(
            suspendConfig, flag: "--suspend-config", shape: .object, example: #"{"strategy":"pause","max_duration":"2h"}"#)
        let labels = try parseLabels(label)
        if !labels.isEmpty { body.labels = labels }
    }
}

extension AdminCommand.ProviderConfigs {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a provider config.")

        @Option(help: "Unique name.") var name: String
        @Option(help: "Provider: local, docker, kubernetes, e2b or pool.") var provider: String
        @Flag(name: .customLong("default"), help: "Make it the default config of its provider.") var isDefault = false
        @OptionGroup var settings: ProviderConfigSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var globals: ProviderConfigGlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            try requireOneOf(provider, ProviderType.all, flag: "--provider")
        }

        func execute() async throws {
            var body = ProviderConfigRequest()
            body.name = name
            body.provider = provider
            if isDefault { body.isDefault = true }
            try settings.apply(to: &body)
            let context = CommandContext(global: try globals.global(), requestTimeout: request.seconds)
            let created = try await context.withAdmin(admin) { try await $0.createProviderConfig(body) }
            context.printer.object(created, view: Views.providerConfig)
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List provider configs.", aliases: ["ls"])

        @Option(help: "Only configs of this provider.") var provider: String?
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            try requireOneOf(provider, ProviderType.all, flag: "--provider")
        }

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) {
                try await $0.listProviderConfigs(provider: provider, page: list.page, all: list.all)
            }
            context.printer.list(envelope, view: Views.providerConfig)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a provider config.")

        @Argument(help: "Provider config ID.") var configID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let config = try await context.withAdmin(admin) { client in
                try await notFound("provider config", configID) { try await client.getProviderConfig(configID) }
            }
            context.printer.object(config, view: Views.providerConfig)
        }
    }

    struct Update: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a provider config (only what is given; the provider is fixed).")

        @Argument(help: "Provider config ID.") var configID: String
        @Option(help: "New name.") var name: String?
        @Option(name: .customLong("default"), help: "Make (true) or stop being (false) its provider's default.") var isDefault: Bool?
        @OptionGroup var settings: ProviderConfigSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var globals: ProviderConfigGlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            if name == nil && isDefault == nil && settings.isEmpty { throw ValidationError("no updates specified") }
        }

        func execute() async throws {
            var body = ProviderConfigRequest()
            body.name = name
            body.isDefault = isDefault
            try settings.apply(to: &body)
            let context = CommandContext(global: try globals.global(), requestTimeout: request.seconds)
            let config = try await context.withAdmin(admin) { client in
                try await notFound("provider config", configID) { try await client.updateProviderConfig(configID, body) }
            }
            context.printer.object(config, view: Views.providerConfig)
        }
    }

    struct Delete: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a provider config (profiles and runners that name it lose the link).")

        @Argument(help: "Provider config ID.") var configID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAdmin(admin) { client in
                try await notFound("provider config", configID) { try await client.deleteProviderConfig(configID) }
            }
            context.printer.message("Provider config \(configID) deleted.")
        }
    }
}
