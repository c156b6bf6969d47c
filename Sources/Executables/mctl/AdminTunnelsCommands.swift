import ArgumentParser
import Client

extension AdminCommand {
    struct Tunnels: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tunnels",
            abstract: "Tunnels of every tenant.",
            subcommands: [List.self],
            aliases: ["tunnel"]
        )
    }
}

extension AdminCommand.Tunnels {
    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tunnels.", aliases: ["ls"])

        @Option(help: "Only this session's tunnels.") var session: String?
        @Option(help: "Only this tenant's tunnels.") var tenant: String?
        @Flag(name: .customLong("include-closed"), help: "Also list closed and expired tunnels.") var includeClosed = false
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) {
                try await $0.listAdminTunnels(
                    sessionID: session, tenantID: tenant, includeClosed: includeClosed, page: list.page, all: list.all)
            }
            context.printer.list(envelope, view: Views.tunnel)
        }
    }
}
