import ArgumentParser
import Client

struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer the server through the admin API (:8081).",
        discussion: """
            Credentials: --admin-username/--admin-password (Basic) or --master-key (Bearer), \
            or MARIONETTE_ADMIN_USERNAME/_PASSWORD, MARIONETTE_MASTER_KEY, or the context's \
            admin-username/admin-password. Next to a local server, user admin and \
            ./.marionette/admin-password are used.
            """,
        subcommands: [Keys.self, RunnerTokens.self, AgentConfigs.self, ProviderConfigs.self, Profiles.self, Runners.self, Tunnels.self, Webhooks.self, WebhookEvents.self, AuditLogs.self, Status.self]
    )
}

extension AdminCommand {
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keys",
            abstract: "Manage API keys.",
            subcommands: [Create.self, List.self, Get.self, Revoke.self],
            aliases: ["key", "api-keys"]
        )
    }
}

extension AdminCommand.Keys {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an API key (the raw key is shown once).")

        @Option(help: "Key name.") var name: String
        @Option(name: [.customLong("scope"), .customLong("scopes")], help: "Scopes (comma-separated or repeated), e.g. sessions:read, tasks:*, *.")
        var scope: [String]
        @Option(help: "Tenant ID (required in multi-tenant mode).") var tenant: String?
        @Option(name: .customLong("expires-at"), help: "Expiry (RFC 3339).") var expiresAt: String?
        @Option(name: [.customLong("label"), .customLong("labels")], help: "Labels k=v.") var label: [String] = []
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            if CommaList.split(scope).isEmpty { throw ValidationError("at least one --scope is required") }
            if let expiresAt, Timestamp.parse(expiresAt) == nil {
                throw ValidationError("--expires-at must be an RFC 3339 time such as 2030-01-01T00:00:00Z")
            }
            _ = try parseLabels(label)
        }

        func execute() async throws {
            var body = CreateAPIKeyRequest(name: name, scopes: CommaList.split(scope))
            body.tenantID = tenant
            body.expiresAt = expiresAt
            let labels = try parseLabels(label)
            body.labels = labels.isEmpty ? nil : labels
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let created = try await context.withAdmin(admin) { try await $0.createAPIKey(body) }
            let printer = context.printer
            guard printer.isTable else { return printer.raw(created) }
            let key = created["key"] ?? created
            var fields: [(String, String)] = [
                ("ID", key["id"]?.displayString ?? ""),
                ("Name", key["name"]?.displayString ?? ""),
                ("Prefix", key["key_prefix"]?.displayString ?? ""),
                ("Scopes", (key["scopes"]?.arrayValue ?? []).map(\.displayString).joined(separator: ", ")),
                ("Expires", key["expires_at"]?.stringValue ?? "never"),
            ]
            if let raw = created["raw_token"]?.stringValue { fields.append(("Key", raw)) }
            Console.out(TableRenderer.fields(fields))
            Console.line("")
            Console.line("Save this key; it will not be shown again.")
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List API keys.", aliases: ["ls"])

        @Flag(name: .customLong("include-revoked"), help: "Include revoked keys.") var includeRevoked = false
        @Option(name: [.customLong("label"), .customLong("labels")], help: "Filter by labels k=v.") var label: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws { _ = try parseLabels(label) }

        func execute() async throws {
            let labels = try parseLabels(label)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { client in
                try await client.listAPIKeys(labels: labels, includeRevoked: includeRevoked, page: list.page, all: list.all)
            }
            context.printer.list(envelope, view: Views.apiKey)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show an API key.")

        @Argument(help: "API key ID.") var keyID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let key = try await context.withAdmin(admin) { client in
                try await notFound("api key", keyID) { try await client.getAPIKey(keyID) }
            }
            context.printer.object(key, view: Views.apiKey)
        }
    }

    struct Revoke: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an API key.")

        @Argument(help: "API key ID.") var keyID: String
        @Option(help: "Reason recorded with the revocation.") var reason: String?
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAdmin(admin) { client in
                try await notFound("api key", keyID) { try await client.revokeAPIKey(keyID, reason: reason) }
            }
            context.printer.message("API key \(keyID) revoked.")
        }
    }
}
