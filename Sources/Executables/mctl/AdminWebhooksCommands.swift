import ArgumentParser
import Client

extension AdminCommand {
    struct Webhooks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhooks",
            abstract: "Manage webhooks: signed POSTs of events to your URLs.",
            subcommands: [Create.self, List.self, Get.self, Update.self, Delete.self, RotateSecret.self],
            aliases: ["webhook"]
        )
    }

    struct WebhookEvents: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhook-events",
            abstract: "Inspect and retry webhook deliveries.",
            subcommands: [WebhookEventList.self, WebhookEventGet.self, WebhookEventRetry.self]
        )
    }
}

/// The options `create` and `update` share.
struct WebhookSettingsOptions: ParsableArguments {
    @Option(name: .customLong("event"), help: "Event pattern (repeatable): task.completed, task.*, task, or *.")
    var events: [String] = []
    @Option(name: .customLong("max-retries"), help: "Retries after the first attempt (0-20, default 3).") var maxRetries: Int?
    @Option(name: .customLong("retry-delay"), help: "First retry delay, doubling after (e.g. 60s, 5m).") var retryDelay: String?
    /// (`--timeout` is the delivery's here, so these commands use the default request timeout.)
    @Option(help: "Delivery timeout (e.g. 30s; 1-300 s, default 30 s).") var timeout: String?
    @Option(name: .customLong("header"), help: "Custom header k=v (repeatable).") var header: [String] = []
    @Option(name: [.customLong("label"), .customLong("labels")], help: "Labels k=v.") var label: [String] = []

    func validate() throws {
        _ = try parseLabels(label)
        _ = try headers()
        _ = try seconds(retryDelay, flag: "--retry-delay")
        _ = try seconds(timeout, flag: "--timeout")
    }

    func headers() throws -> [(String, String)] {
        try header.map { pair in
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--header must be name=value, got \"\(pair)\"")
            }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
    }

    func seconds(_ text: String?, flag: String) throws -> Int? {
        guard let text else { return nil }
        do { return Int(try DurationParser.seconds(text).rounded()) } catch {
            throw ValidationError("\(flag): \(ErrorText.message(for: error))")
        }
    }

    func apply(to body: inout WebhookRequest) throws {
        if !events.isEmpty { body.events = events }
        body.maxRetries = maxRetries
        body.retryDelaySeconds = try seconds(retryDelay, flag: "--retry-delay")
        body.timeoutSeconds = try seconds(timeout, flag: "--timeout")
        let headers = try headers()
        if !headers.isEmpty { body.headers = headers }
        let labels = try parseLabels(label)
        if !labels.isEmpty { body.labels = labels }
    }
}

extension AdminCommand.Webhooks {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a webhook (the secret is shown once).")

        @Option(help: "Unique name.") var name: String
        @Option(help: "http(s) URL the events are POSTed to.") var url: String
        @OptionGroup var settings: WebhookSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions

        func validate() throws {
            if settings.events.isEmpty { throw ValidationError("--event is required (at least one pattern, e.g. --event 'task.*')") }
        }

        func execute() async throws {
            var body = WebhookRequest()
            body.name = name
            body.url = url
            try settings.apply(to: &body)
            let context = CommandContext(global: global, requestTimeout: RequestTimeoutOption.defaultSeconds)
            let created = try await context.withAdmin(admin) { try await $0.createWebhook(body) }
            let printer = context.printer
            guard printer.isTable else { return printer.raw(created) }
            var fields = Views.webhook.fields(created["webhook"] ?? created)
            if let secret = created["secret"]?.stringValue { fields.append(("Secret", secret)) }
            Console.out(TableRenderer.fields(fields))
            Console.line("")
            Console.line("Save this secret: receivers check X-Webhook-Signature with it; it will not be shown again.")
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List webhooks.", aliases: ["ls"])

        @Option(help: "Only active (true) or inactive (false) webhooks.") var active: Bool?
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { try await $0.listWebhooks(active: active, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.webhook)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a webhook.")

        @Argument(help: "Webhook ID.") var webhookID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let hook = try await context.withAdmin(admin) { client in
                try await notFound("webhook", webhookID) { try await client.getWebhook(webhookID) }
            }
            context.printer.object(hook, view: Views.webhook)
        }
    }

    struct Update: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a webhook (only what is given).")

        @Argument(help: "Webhook ID.") var webhookID: String
        @Option(help: "New name.") var name: String?
        @Option(help: "New URL.") var url: String?
        @Option(help: "Activate (true) or deactivate (false); deactivating cancels pending deliveries.") var active: Bool?
        @OptionGroup var settings: WebhookSettingsOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions

        func execute() async throws {
            var body = WebhookRequest()
            body.name = name
            body.url = url
            body.isActive = active
            try settings.apply(to: &body)
            let context = CommandContext(global: global, requestTimeout: RequestTimeoutOption.defaultSeconds)
            let hook = try await context.withAdmin(admin) { client in
                try await notFound("webhook", webhookID) { try await client.updateWebhook(webhookID, body) }
            }
            context.printer.object(hook, view: Views.webhook)
        }
    }

    struct Delete: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a webhook and its delivery log.")

        @Argument(help: "Webhook ID.") var webhookID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAdmin(admin) { client in
                try await notFound("webhook", webhookID) { try await client.deleteWebhook(webhookID) }
            }
            context.printer.message("Webhook \(webhookID) deleted.")
        }
    }

    struct RotateSecret: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-secret", abstract: "Give a webhook a new secret (shown once).")

        @Argument(help: "Webhook ID.") var webhookID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let rotated = try await context.withAdmin(admin) { client in
                try await notFound("webhook", webhookID) { try await client.rotateWebhookSecret(webhookID) }
            }
            guard context.printer.isTable else { return context.printer.raw(rotated) }
            Console.out(TableRenderer.fields([("Secret", rotated["secret"]?.stringValue ?? ""), ("Secret Prefix", rotated["secret_prefix"]?.stringValue ?? "")]))
            Console.line("")
            Console.line("Deliveries are signed with the new secret from now on; it will not be shown again.")
        }
    }
}

extension AdminCommand.WebhookEvents {
    struct WebhookEventList: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List webhook deliveries.", aliases: ["ls"])

        @Option(help: "Only this webhook's deliveries.") var webhook: String?
        @Option(help: "Filter by status: pending, delivered, failed, exhausted, canceled (comma-separated or repeated).")
        var status: [String] = []
        @Option(name: .customLong("event-type"), help: "Only this event type.") var eventType: String?
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            for value in CommaList.split(status) {
                try requireOneOf(value, ["pending", "delivered", "failed", "exhausted", "canceled"], flag: "--status")
            }
        }

        func execute() async throws {
            var filter = WebhookEventListFilter()
            filter.webhookID = webhook
            filter.statuses = CommaList.split(status)
            filter.eventType = eventType
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAdmin(admin) { try await $0.listWebhookEvents(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.webhookEvent)
        }
    }

    struct WebhookEventGet: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a webhook delivery.")

        @Argument(help: "Webhook event ID.") var eventID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let event = try await context.withAdmin(admin) { client in
                try await notFound("webhook event", eventID) { try await client.getWebhookEvent(eventID) }
            }
            context.printer.object(event, view: Views.webhookEvent)
        }
    }

    struct WebhookEventRetry: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Send a failed or exhausted delivery again.")

        @Argument(help: "Webhook event ID.") var eventID: String
        @OptionGroup(title: "Admin Options") var admin: AdminOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            _ = try await context.withAdmin(admin) { client in
                try await notFound("webhook event", eventID) { try await client.retryWebhookEvent(eventID) }
            }
            context.printer.message("Webhook event \(eventID) queued for delivery.")
        }
    }
}
