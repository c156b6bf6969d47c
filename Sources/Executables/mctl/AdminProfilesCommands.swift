import ArgumentParser
import Client

extension AdminCommand {
    struct Profiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "profiles",
            abstract: "Manage runner profiles: resources, network policy, scripts, auto-created tunnels and streams.",
            subcommands: [Create.self, List.self, Get.self, Update.self, Delete.self],
            aliases: ["profile"]
        )
    }
}

/// The options `create` and `update` share (`--name` differs: required on create).
struct ProfileSettingsOptions: ParsableArguments {
    @Option(help: "Description (update: \"\" clears it).") var description: String?
    @Option(name: .customLong("provider-config-id"), help: "Provider config the profile uses (update: \"\" clears it).")
    var providerConfigID: String?
    @Option(help: #"Resources: JSON object {cpus, memory_mb, disk_mb, gpus}, @file or -."#) var resources: String?
    @Option(help: #"Network: JSON object {level, allowed_hosts, allowed_ports}, @file or -."#) var network: String?
    @Option(name: .customLong("init-script"), help: "Script pool runners run before a session (@file reads a file).")
    var initScript: String?
    @Option(name: .customLong("cleanup-script"), help: "Script pool runners run after a session (@file reads a file).")
    var cleanupScript: String?
    @Option(help: #"Tunnels and streams made on attach: JSON array [{"type":"http","local_port":3000}, {"type":"desktop"}], @file or -."#)
    var tunnels: String?
    @Option(help: #"Runner selector: JSON object {os, arch, capabilities}, @file or -."#) var selector: String?
    @Option(name: [.customLong("label"), .customLong("labels")], help: "Labels k=v.") var label: [String] = []
    @Option(name: [.customLong("annotation"), .customLong("annotations")], help: "Annotations k=v.") var annotation: [String] = []

    func validate() throws {
        _ = try parseLabels(label)
        _ = try parseLabels(annotation)
    }

    var isEmpty: Bool {
        description == nil && providerConfigID == nil && resources == nil && network == nil && initScript == nil
            && cleanupScript == nil && tunnels == nil && selector == nil && label.isEmpty && annotation.isEmpty
    }

    func apply(to body: inout ProfileRequest) throws {
        body.description = description
        body.providerConfigID = providerConfigID
        body.resources = try JSONArgument.parse(resources, flag: "--resources", shape: .object, example: #"{"cpus":2,"memory_mb":4096}"#)
        body.network = try JSONArgument.parse(
            network, flag: "--network", shape: .object, example: #"{"level":"allow_list","allowed_hosts":["github.com"]}"#)
        body.initScript = try script(initScript)
        body.cleanupScript = try script(cleanupScript)
        body.tunnels = try JSONArgument.parse(tunnels, flag: "--tunnels", shape: .array, example: #"[{"type":"http","local_port":3000}]"#)
        body.selector = try JSONArgument.parse(selector, flag: "--selector", shape: .object, example: #"{"os":"linux"}"#)
        let labels = try parseLabels(label)
        if !labels.isEmpty { body.labels = labels }
        let annotations = try parseLabels(annotation)
        if !annotations.isEmpty { body.annotations = annotations }
    }

    /// `@file` reads a script file as is; anything else is the script text.
    private func script(_ value: String?) throws -> String? {
        guard let value else { return nil }
        guard value.hasPrefix("@"), value.count > 1 else { return value }
        return try Console.readFile(String(value.dropFirst()))
    }
}

extension AdminCommand.Profiles {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a profile.")

        @Option(help: "Unique name.") var name: String
        @OptionGroup var settings: ProfileSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            var body = ProfileRequest()
            body.name = name
            try settings.apply(to: &body)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let created = try await context.withAdmin(admin) { try await $0.createProfile(body) }
            context.printer.object(created, view: Views.profile)
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List profiles.", aliases: ["ls"])

        @Option(name: .customLong("provider-config-id"), help: "Only profiles of this provider config.") var providerConfigID: String?
        @Flag(name: .customLong("include-builtin"), help: "Include the built-in profiles.") var includeBuiltin = false
        @Option(name: [.customLong("label"), .customLong("labels")], help: "Only profiles with these labels k=v.") var label: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            _ = try parseLabels(label)
        }

        func execute() async throws {
            var filter = ProfileListFilter()
            filter.providerConfigID = providerConfigID
            filter.includeBuiltin = includeBuiltin
            filter.labels = try parseLabels(label)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { try await $0.listProfiles(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.profile)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a profile.")

        @Argument(help: "Profile ID (prof_… or prof_builtin_<name>).") var profileID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let profile = try await context.withAdmin(admin) { client in
                try await notFound("profile", profileID) { try await client.getProfile(profileID) }
            }
            context.printer.object(profile, view: Views.profile)
        }
    }

    struct Update: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a profile (only the flags given; built-ins are read-only).")

        @Argument(help: "Profile ID.") var profileID: String
        @Option(help: "New name.") var name: String?
        @OptionGroup var settings: ProfileSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            if name == nil && settings.isEmpty { throw ValidationError("no updates specified") }
        }

        func execute() async throws {
            var body = ProfileRequest()
            body.name = name
            try settings.apply(to: &body)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let profile = try await context.withAdmin(admin) { client in
                try await notFound("profile", profileID) { try await client.updateProfile(profileID, body) }
            }
            context.printer.object(profile, view: Views.profile)
        }
    }

    struct Delete: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a profile (sessions and runners that name it lose the link).")

        @Argument(help: "Profile ID.") var profileID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAdmin(admin) { client in
                try await notFound("profile", profileID) { try await client.deleteProfile(profileID) }
            }
            context.printer.message("Profile \(profileID) deleted.")
        }
    }
}
