import ArgumentParser
import Client

struct RunnersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runners",
        abstract: "Inspect runners.",
        subcommands: [List.self, Get.self],
        aliases: ["runner"]
    )
}

extension RunnersCommand {
    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List runners.", aliases: ["ls"])

        @Option(help: "Filter by status (comma-separated or repeated).") var status: [String] = []
        @Option(help: "Filter by pool name.") var pool: String?
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Filter by labels k=v.") var labels: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws { _ = try parseLabels(labels) }

        func execute() async throws {
            var filter = RunnerListFilter()
            filter.statuses = CommaList.split(status)
            filter.poolName = pool
            filter.labels = try parseLabels(labels)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { try await $0.listRunners(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.runner)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a runner.")

        @Argument(help: "Runner ID.") var runnerID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let runner = try await context.withAPI { client in
                try await notFound("runner", runnerID) { try await client.getRunner(runnerID) }
            }
            context.printer.object(runner, view: Views.runner)
        }
    }
}
