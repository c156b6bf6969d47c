import ArgumentParser
import Client

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Create and manage agent sessions.",
        subcommands: [Create.self, List.self, Get.self, Update.self, Suspend.self, Resume.self, Terminate.self],
        aliases: ["session", "sess"]
    )

    static let lifecycleModes = ["on_demand", "always_on", "scheduled"]
    static let networkPolicies = ["none", "allow_list", "proxy", "air_gapped"]
    static let permissionPolicies = ["ask", "auto"]
}

extension SessionsCommand {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a session.")

        @Option(help: "Session name.") var name: String?
        @Option(help: "Agent: claude, codex, command, custom or a named custom agent.") var agent = "claude"
        @Option(name: .customLong("agent-config"), help: "Managed agent credentials (agent config ID).") var agentConfig: String?
        @Option(name: .customLong("agent-api-key"), help: "Bring-your-own agent API key (@file or - for stdin).") var agentAPIKey: String?
        @Option(help: "Reuse this workspace ID.") var workspace: String?
        @Option(help: "Profile ID.") var profile: String?
        @Option(help: "Lifecycle: on_demand, always_on or scheduled (default on_demand).") var lifecycle: String?
        @Option(name: .customLong("idle-timeout"), help: "Idle time before auto-suspend (default 1800s; 0 disables).") var idleTimeout: String?
        @Option(name: .customLong("max-lifetime"), help: "Maximum session lifetime.") var maxLifetime: String?
        @Option(help: "Cron schedule (5 fields) for scheduled sessions.") var schedule: String?
        @Option(name: .customLong("schedule-timezone"), help: "IANA time zone of the schedule.") var scheduleTimezone: String?
        @Option(name: .customLong("network-policy"), help: "none, allow_list, proxy or air_gapped.") var networkPolicy: String?
        @Option(name: .customLong("allowed-hosts"), help: "Allowed hosts (comma-separated or repeated).") var allowedHosts: [String] = []
        @Option(name: .customLong("permission-policy"), help: "ask or auto.") var permissionPolicy: String?
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Labels k=v (comma-separated or repeated).") var labels: [String] = []
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            try requireOneOf(lifecycle, SessionsCommand.lifecycleModes, flag: "--lifecycle")
            try requireOneOf(networkPolicy, SessionsCommand.networkPolicies, flag: "--network-policy")
            try requireOneOf(permissionPolicy, SessionsCommand.permissionPolicies, flag: "--permission-policy")
            if agentConfig != nil, agentAPIKey != nil {
                throw ValidationError("--agent-config and --agent-api-key are mutually exclusive")
            }
            _ = try parseLabels(labels)
            _ = try parseSeconds(idleTimeout, flag: "--idle-timeout")
            _ = try parseSeconds(maxLifetime, flag: "--max-lifetime")
        }

        func execute() async throws {
            var body = CreateSessionRequest(agent: agent)
            body.name = name
            body.agentConfigID = agentConfig
            body.apiKey = try readSecret(agentAPIKey)
            body.workspaceID = workspace
            body.profileID = profile
            body.lifecycleMode = lifecycle
            body.idleTimeoutSeconds = try parseSeconds(idleTimeout, flag: "--idle-timeout")
            body.maxLifetimeSeconds = try parseSeconds(maxLifetime, flag: "--max-lifetime")
            body.scheduleCron = schedule
            body.scheduleTimezone = scheduleTimezone
            body.networkPolicy = networkPolicy
            let hosts = CommaList.split(allowedHosts)
            body.allowedHosts = hosts.isEmpty ? nil : hosts
            body.permissionPolicy = permissionPolicy
            let parsedLabels = try parseLabels(labels)
            body.labels = parsedLabels.isEmpty ? nil : parsedLabels
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let session = try await context.withAPI { try await $0.createSession(body) }
            context.printer.object(session, view: Views.session)
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List sessions.", aliases: ["ls"])

        @Option(help: "Filter by status (comma-separated or repeated).") var status: [String] = []
        @Option(help: "Filter by agent.") var agent: String?
        @Option(help: "Filter by lifecycle mode.") var lifecycle: String?
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Filter by labels k=v.") var labels: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws { _ = try parseLabels(labels) }

        func execute() async throws {
            var filter = SessionListFilter()
            filter.statuses = CommaList.split(status)
            filter.agent = agent
            filter.lifecycleMode = lifecycle
            filter.labels = try parseLabels(labels)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { try await $0.listSessions(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.session)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a session.")

        @Argument(help: "Session ID.") var sessionID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let session = try await context.withAPI { client in
                try await notFound("session", sessionID) { try await client.getSession(sessionID) }
            }
            context.printer.object(session, view: Views.session)
        }
    }

    struct Update: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Update a session (only the given flags).")

        @Argument(help: "Session ID.") var sessionID: String
        @Option(help: "New name.") var name: String?
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Labels k=v.") var labels: [String] = []
        @Option(name: .customLong("idle-timeout"), help: "Idle timeout.") var idleTimeout: String?
        @Option(name: .customLong("max-lifetime"), help: "Maximum lifetime.") var maxLifetime: String?
        @Option(help: "Lifecycle: on_demand, always_on or scheduled.") var lifecycle: String?
        @Option(help: "Cron schedule.") var schedule: String?
        @Option(name: .customLong("schedule-timezone"), help: "IANA time zone of the schedule.") var scheduleTimezone: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func body() throws -> UpdateSessionRequest {
            var body = UpdateSessionRequest()
            body.name = name
            let parsed = try parseLabels(labels)
            body.labels = labels.isEmpty ? nil : parsed
            body.idleTimeoutSeconds = try parseSeconds(idleTimeout, flag: "--idle-timeout")
            body.maxLifetimeSeconds = try parseSeconds(maxLifetime, flag: "--max-lifetime")
            body.lifecycleMode = lifecycle
            body.scheduleCron = schedule
            body.scheduleTimezone = scheduleTimezone
            return body
        }

        func validate() throws {
            try requireOneOf(lifecycle, SessionsCommand.lifecycleModes, flag: "--lifecycle")
            if try body().isEmpty { throw ValidationError("no updates specified") }
        }

        func execute() async throws {
            let update = try body()
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let session = try await context.withAPI { client in
                try await notFound("session", sessionID) { try await client.updateSession(sessionID, update) }
            }
            context.printer.object(session, view: Views.session)
        }
    }

    struct Suspend: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Suspend a session.")

        @Argument(help: "Session ID.") var sessionID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("session", sessionID) { try await client.suspendSession(sessionID) }
            }
            context.printer.message("Session \(sessionID) suspended.")
        }
    }

    struct Resume: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a suspended session.")

        @Argument(help: "Session ID.") var sessionID: String
        @Option(name: .customLong("agent-api-key"), help: "Re-supply a BYOK agent key (@file or - for stdin).") var agentAPIKey: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let key = try readSecret(agentAPIKey)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("session", sessionID) { try await client.resumeSession(sessionID, apiKey: key) }
            }
            context.printer.message("Session \(sessionID) resuming.")
        }
    }

    struct Terminate: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "terminate", abstract: "Terminate a session (final).")

        @Argument(help: "Session ID.") var sessionID: String
        @Flag(name: [.customShort("y"), .customLong("yes")], help: "Do not ask for confirmation.") var yes = false
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            if !yes, Console.stdinIsTerminal {
                guard Console.confirm("Terminate session \(sessionID)? This cannot be undone.") else {
                    Console.error("Aborted.")
                    throw ExitCode(1)
                }
            }
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("session", sessionID) { try await client.terminateSession(sessionID) }
            }
            context.printer.message("Session \(sessionID) terminated.")
        }
    }
}
