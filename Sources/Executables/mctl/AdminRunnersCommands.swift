import ArgumentParser
import Client

extension AdminCommand {
    struct Runners: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runners",
            abstract: "Runners of every tenant, with their provider fields; destroy a free one.",
            subcommands: [List.self, Get.self, Destroy.self],
            aliases: ["runner"]
        )
    }
}

extension AdminCommand.Runners {
    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List runners.", aliases: ["ls"])

        @Option(help: "Filter by status: offline, idle, busy, paused (comma-separated or repeated).") var status: [String] = []
        @Option(name: .customLong("pool-name"), help: "Filter by pool name.") var poolName: String?
        @Option(name: [.customLong("label"), .customLong("labels")], help: "Filter by labels k=v.") var label: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            _ = try parseLabels(label)
            for value in CommaList.split(status) { try requireOneOf(value, ["offline", "idle", "busy", "paused"], flag: "--status") }
        }

        func execute() async throws {
            var filter = RunnerListFilter()
            filter.statuses = CommaList.split(status)
            filter.poolName = poolName
            filter.labels = try parseLabels(label)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { try await $0.listAdminRunners(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.adminRunner)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a runner with its provider fields.")

        @Argument(help: "Runner ID.") var runnerID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let runner = try await context.withAdmin(admin) { client in
                try await notFound("runner", runnerID) { try await client.getAdminRunner(runnerID) }
            }
            context.printer.object(runner, view: Views.adminRunner)
        }
    }

    struct Destroy: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "destroy",
            abstract: "End a runner: its process (local runners), connection, record and tokens. Refused while a session holds it.")

        @Argument(help: "Runner ID.") var runnerID: String
        @Flag(name: [.customShort("y"), .customLong("yes")], help: "Do not ask for confirmation.") var yes = false
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            if !yes, Console.stdinIsTerminal {
                guard Console.confirm("Destroy runner \(runnerID)? Its tokens are revoked.") else {
                    Console.error("Aborted.")
                    throw ExitCode(1)
                }
            }
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAdmin(admin) { client in
                try await notFound("runner", runnerID) { try await client.destroyRunner(runnerID) }
            }
            context.printer.message("Runner \(runnerID) destroyed.")
        }
    }
}
