import ArgumentParser
import Client

struct WorkspacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspaces",
        abstract: "Manage workspaces.",
        subcommands: [Create.self, List.self, Get.self, Update.self, Delete.self],
        aliases: ["workspace", "ws"]
    )
}

extension WorkspacesCommand {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a workspace.")

        @Option(help: "Workspace name.") var name: String?
        @Flag(inversion: .prefixedNo, help: "Keep the workspace after its sessions end.") var persist = true
        @Option(name: .customLong("storage-type"), help: "volume, pvc or cas.") var storageType: String?
        @Option(help: "local, shared or object_sync.") var mobility: String?
        @Option(name: .customLong("quota-mb"), help: "Disk quota in MB.") var quotaMB: Int?
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Labels k=v.") var labels: [String] = []
        @Option(name: [.customLong("annotations"), .customLong("annotation")], help: "Annotations k=v.") var annotations: [String] = []
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            try requireOneOf(storageType, ["volume", "pvc", "cas"], flag: "--storage-type")
            try requireOneOf(mobility, ["local", "shared", "object_sync"], flag: "--mobility")
            _ = try parseLabels(labels)
            _ = try parseLabels(annotations)
        }

        func execute() async throws {
            var body = CreateWorkspaceRequest()
            body.name = name
            body.persist = persist
            body.storageType = storageType
            body.mobility = mobility
            body.diskQuotaMB = quotaMB
            let parsedLabels = try parseLabels(labels)
            let parsedAnnotations = try parseLabels(annotations)
            body.labels = parsedLabels.isEmpty ? nil : parsedLabels
            body.annotations = parsedAnnotations.isEmpty ? nil : parsedAnnotations
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let workspace = try await context.withAPI { try await $0.createWorkspace(body) }
            context.printer.object(workspace, view: Views.workspace)
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List workspaces.", aliases: ["ls"])

        @Option(name: [.customLong("labels"), .customLong("label")], help: "Filter by labels k=v.") var labels: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws { _ = try parseLabels(labels) }

        func execute() async throws {
            let filter = try parseLabels(labels)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { try await $0.listWorkspaces(labels: filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.workspace)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a workspace.")

        @Argument(help: "Workspace ID.") var workspaceID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let workspace = try await context.withAPI { client in
                try await notFound("workspace", workspaceID) { try await client.getWorkspace(workspaceID) }
            }
            context.printer.object(workspace, view: Views.workspace)
        }
    }

    struct Update: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Update a workspace (only the given flags).")

        @Argument(help: "Workspace ID.") var workspaceID: String
        @Option(help: "New name.") var name: String?
        @Flag(inversion: .prefixedNo, help: "Keep the workspace after its sessions end.") var persist: Bool?
        @Option(name: .customLong("quota-mb"), help: "Disk quota in MB.") var quotaMB: Int?
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Labels k=v.") var labels: [String] = []
        @Option(name: [.customLong("annotations"), .customLong("annotation")], help: "Annotations k=v.") var annotations: [String] = []
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func body() throws -> UpdateWorkspaceRequest {
            var body = UpdateWorkspaceRequest()
            body.name = name
            body.persist = persist
            body.diskQuotaMB = quotaMB
            let parsedLabels = try parseLabels(labels)
            let parsedAnnotations = try parseLabels(annotations)
            body.labels = labels.isEmpty ? nil : parsedLabels
            body.annotations = annotations.isEmpty ? nil : parsedAnnotations
            return body
        }

        func validate() throws {
            if try body().isEmpty { throw ValidationError("no updates specified") }
        }

        func execute() async throws {
            let update = try body()
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let workspace = try await context.withAPI { client in
                try await notFound("workspace", workspaceID) { try await client.updateWorkspace(workspaceID, update) }
            }
            context.printer.object(workspace, view: Views.workspace)
        }
    }

    struct Delete: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a workspace.", aliases: ["rm"])

        @Argument(help: "Workspace ID.") var workspaceID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("workspace", workspaceID) { try await client.deleteWorkspace(workspaceID) }
            }
            context.printer.message("Workspace \(workspaceID) deleted.")
        }
    }
}
