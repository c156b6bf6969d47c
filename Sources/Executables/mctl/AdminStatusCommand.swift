import ArgumentParser
import Client

extension AdminCommand {
    /// `mctl admin status` (cli.md §9): the admin listener's `/api/status` as a table.
    struct Status: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Show the server's services (database, listeners, SFU) and their state.")

        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let status = try await context.withAdmin(admin) { try await $0.adminStatus() }
            guard context.printer.isTable else { return context.printer.raw(status) }
            let services = status["services"]?.arrayValue ?? []
            Console.out(TableRenderer.render(headers: ["NAME", "PORT", "STATUS", "MESSAGE"], rows: services.map { service in
                [cell(service, "name"), cell(service, "port"), cell(service, "status"), cell(service, "message")]
            }))
        }
    }
}
