import ArgumentParser
import Client

extension AdminCommand {
    struct AuditLogs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit-logs",
            abstract: "Read the audit log: who changed what, and what failed.",
            subcommands: [List.self, Get.self],
            aliases: ["audit", "action-logs"]
        )
    }
}

extension AdminCommand.AuditLogs {
    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List audit log entries, newest first.", aliases: ["ls"])

        @Option(name: .customLong("actor-type"), help: "user, api_key, system or runner.") var actorType: String?
        @Option(name: .customLong("actor-id"), help: "Actor ID (an API key id, a runner id, admin).") var actorID: String?
        @Option(help: "Exact action, e.g. session.created.") var action: String?
        @Option(name: .customLong("action-prefix"), help: "Action prefix, e.g. task. or api_key.") var actionPrefix: String?
        @Option(name: .customLong("resource-type"), help: "Resource type, e.g. session.") var resourceType: String?
        @Option(name: .customLong("resource-id"), help: "Resource ID.") var resourceID: String?
        @Option(help: "Session ID.") var session: String?
        @Option(help: "Task ID.") var task: String?
        @Option(help: "Only successful (true) or failed (false) entries.") var success: Bool?
        @Option(help: "From this time (RFC 3339).") var from: String?
        @Option(help: "Before this time (RFC 3339).") var to: String?
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            try requireOneOf(actorType, ["user", "api_key", "system", "runner"], flag: "--actor-type")
            for (flag, value) in [("--from", from), ("--to", to)] {
                if let value, Timestamp.parse(value) == nil {
                    throw ValidationError("\(flag) must be an RFC 3339 time such as 2026-11-30T12:00:00Z")
                }
            }
        }

        func execute() async throws {
            var filter = ActionLogListFilter()
            filter.actorType = actorType
            filter.actorID = actorID
            filter.action = action
            filter.actionPrefix = actionPrefix
            filter.resourceType = resourceType
            filter.resourceID = resourceID
            filter.sessionID = session
            filter.taskID = task
            filter.success = success
            filter.from = from
            filter.to = to
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { try await $0.listActionLogs(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.actionLog)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show an audit log entry.")

        @Argument(help: "Audit log entry ID (alog_…).") var logID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let entry = try await context.withAdmin(admin) { client in
                try await notFound("audit log entry", logID) { try await client.getActionLog(logID) }
            }
            context.printer.object(entry, view: Views.actionLog)
        }
    }
}
