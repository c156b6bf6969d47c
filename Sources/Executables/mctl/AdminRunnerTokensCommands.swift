import ArgumentParser
import Client

extension AdminCommand {
    struct RunnerTokens: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runner-tokens",
            abstract: "Manage runner tokens (rtok_…) that hand-started runners join with.",
            subcommands: [Create.self, List.self, Get.self, Revoke.self, Rotate.self],
            aliases: ["runner-token", "rtok"]
        )
    }
}

/// Parses `--window` for `validate()`/`execute()`.
private func parseRotationWindow(_ value: String?) throws -> Int? {
    guard let value else { return nil }
    do {
        return try RunnerTokenRotation.windowSeconds(value)
    } catch {
        throw ValidationError("--window: \(ErrorText.message(for: error))")
    }
}

extension AdminCommand.RunnerTokens {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a runner token (the raw token is shown once).")

        @Option(name: .customLong("pool-name"), help: "Pool the token's runners join.") var poolName: String
        @Option(help: "Tenant ID (required in multi-tenant mode).") var tenant: String?
        @Option(name: [.customLong("label"), .customLong("labels")], help: "Labels k=v.") var label: [String] = []
        @Option(name: .customLong("expires-at"), help: "Expiry (RFC 3339).") var expiresAt: String?
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            if poolName.allSatisfy(\.isWhitespace) { throw ValidationError("--pool-name must not be blank") }
            if let expiresAt, Timestamp.parse(expiresAt) == nil {
                throw ValidationError("--expires-at must be an RFC 3339 time such as 2030-01-01T00:00:00Z")
            }
            _ = try parseLabels(label)
        }

        func execute() async throws {
            var body = CreateRunnerTokenRequest(poolName: poolName)
            body.tenantID = tenant
            body.expiresAt = expiresAt
            let labels = try parseLabels(label)
            body.labels = labels.isEmpty ? nil : labels
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let created = try await context.withAdmin(admin) { try await $0.createRunnerToken(body) }
            let printer = context.printer
            guard printer.isTable else { return printer.raw(created) }
            let token = created["token"] ?? created
            var fields: [(String, String)] = [
                ("ID", token["id"]?.displayString ?? ""),
                ("Pool", token["pool_name"]?.displayString ?? ""),
                ("Token Prefix", token["token_prefix"]?.displayString ?? ""),
                ("Status", token["status"]?.displayString ?? ""),
                ("Created", token["created_at"]?.stringValue ?? ""),
                ("Expires", token["expires_at"]?.stringValue ?? "never"),
            ]
            if let raw = created["raw_token"]?.stringValue { fields.append(("Token", raw)) }
            Console.out(TableRenderer.fields(fields))
            Console.line("")
            Console.line("Save this token; it will not be shown again.")
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List runner tokens.", aliases: ["ls"])

        @Option(name: .customLong("pool-name"), help: "Filter by pool name.") var poolName: String?
        @Option(help: "Filter by status: active, rotating, revoked, expired (comma-separated or repeated).")
        var status: [String] = []
        @Flag(name: .customLong("include-revoked"), help: "Include revoked tokens.") var includeRevoked = false
        @Option(name: [.customLong("label"), .customLong("labels")], help: "Filter by labels k=v.") var label: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            for value in CommaList.split(status) {
                try requireOneOf(value, RunnerTokenStatus.all, flag: "--status")
            }
            _ = try parseLabels(label)
        }

        func execute() async throws {
            var filter = RunnerTokenListFilter()
            filter.poolName = poolName
            filter.statuses = CommaList.split(status)
            filter.includeRevoked = includeRevoked
            filter.labels = try parseLabels(label)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { client in
                try await client.listRunnerTokens(filter, page: list.page, all: list.all)
            }
            context.printer.list(envelope, view: Views.runnerToken)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a runner token.")

        @Argument(help: "Runner token ID.") var tokenID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let token = try await context.withAdmin(admin) { client in
                try await notFound("runner token", tokenID) { try await client.getRunnerToken(tokenID) }
            }
            context.printer.object(token, view: Views.runnerToken)
        }
    }

    struct Revoke: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a runner token.")

        @Argument(help: "Runner token ID.") var tokenID: String
        @Option(help: "Reason recorded with the revocation.") var reason: String?
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAdmin(admin) { client in
                try await notFound("runner token", tokenID) { try await client.revokeRunnerToken(tokenID, reason: reason) }
            }
            context.printer.message("Runner token \(tokenID) revoked.")
        }
    }

    struct Rotate: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Rotate a runner token (the new raw token is shown once).",
            discussion: "The previous token keeps working until the rotation deadline or until a runner uses the new one."
        )

        @Argument(help: "Runner token ID.") var tokenID: String
        @Option(help: "How long the previous token stays valid (90s, 15m, 1h, 7d, or seconds; server default 1h, max 7d).")
        var window: String?
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws { _ = try parseRotationWindow(window) }

        func execute() async throws {
            let seconds = try parseRotationWindow(window)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let rotated = try await context.withAdmin(admin) { client in
                try await notFound("runner token", tokenID) { try await client.rotateRunnerToken(tokenID, windowSeconds: seconds) }
            }
            let printer = context.printer
            guard printer.isTable else { return printer.raw(rotated) }
            let token = rotated["token"] ?? rotated
            var fields = FieldList(token)
            fields.text("ID", "id")
            fields.text("Pool", "pool_name")
            fields.text("Token Prefix", "token_prefix")
            fields.text("Status", "status")
            fields.time("Rotation Deadline", "rotation_deadline")
            fields.add("Token", rotated["raw_token"]?.stringValue)
            Console.out(TableRenderer.fields(fields.pairs))
            Console.line("")
            Console.line("The previous token keeps working until the rotation deadline. Save this token; it will not be shown again.")
        }
    }
}
