import ArgumentParser
import Client

/// `mctl permissions` (cli.md §6.5).
struct PermissionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permissions",
        abstract: "List and answer agents' permission requests.",
        subcommands: [List.self, Get.self, Approve.self, Deny.self],
        aliases: ["permission", "perm"]
    )
}

extension PermissionsCommand {
    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List permission requests.", aliases: ["ls"])

        @Option(help: "Filter by session ID.") var session: String?
        @Option(help: "Filter by task ID.") var task: String?
        @Option(help: "Filter by status (comma-separated or repeated; default pending, `all` for every status).")
        var status: [String] = []
        @Option(help: "Filter by risk level: low, medium, high, critical (comma-separated or repeated).") var risk: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            var filter = PermissionListFilter()
            filter.sessionID = session
            filter.taskID = task
            let statuses = CommaList.split(status)
            filter.statuses = statuses.isEmpty ? ["pending"] : (statuses.contains("all") ? [] : statuses)
            filter.riskLevels = CommaList.split(risk)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { try await $0.listPermissions(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.permission)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a permission request.")

        @Argument(help: "Permission request ID.") var permissionID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let permission = try await context.withAPI { client in
                try await notFound("permission request", permissionID) { try await client.getPermission(permissionID) }
            }
            context.printer.object(permission, view: Views.permission)
        }
    }

    struct Approve: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve pending permission requests.")

        @Argument(help: "Permission request IDs.") var permissionIDs: [String]
        @Option(help: "Reason recorded with the answer.") var reason: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            try await answer(permissionIDs, approve: true, reason: reason, global: global, timeout: request.seconds)
        }
    }

    struct Deny: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "deny", abstract: "Deny pending permission requests.")

        @Argument(help: "Permission request IDs.") var permissionIDs: [String]
        @Option(help: "Reason shown to the agent.") var reason: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            try await answer(permissionIDs, approve: false, reason: reason, global: global, timeout: request.seconds)
        }
    }

    static func answer(_ ids: [String], approve: Bool, reason: String?, global: GlobalOptions, timeout: Double?) async throws {
        let context = CommandContext(global: global, requestTimeout: timeout)
        for id in ids {
            try await context.withAPI { client in
                try await notFound("permission request", id) { try await client.answerPermission(id, approve: approve, reason: reason) }
            }
            context.printer.message("Permission \(id) \(approve ? "approved" : "denied").")
        }
    }
}
