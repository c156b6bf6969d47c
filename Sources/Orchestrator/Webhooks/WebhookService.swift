import Core
import Foundation

/// `POST/PUT /admin/api/v1/webhooks` bodies (api.md §13.2).
public struct WebhookRequest: Decodable, Sendable {
    public var name: String?
    public var url: String?
    public var events: [String]?
    public var isActive: Bool?
    public var maxRetries: Int?
    public var retryDelaySeconds: Int?
    public var timeoutSeconds: Int?
    public var headers: [String: String]?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, url, events, isActive = "is_active", maxRetries = "max_retries", retryDelaySeconds = "retry_delay_seconds"
        case timeoutSeconds = "timeout_seconds", headers, labels, annotations
    }
}

/// A created webhook with its secret, shown this once.
public struct CreatedWebhook: Encodable, Sendable {
    public let webhook: WebhookRecord
    public let secret: String
}

public struct RotatedWebhookSecret: Encodable, Sendable {
    public let secret: String
    public let secretPrefix: String
    enum CodingKeys: String, CodingKey { case secret, secretPrefix = "secret_prefix" }
}

/// Webhook management: validation, the SSRF guard at create and update, secrets.
public struct WebhookService: Sendable {
    let store: Store
    let settings: ServerConfig.Webhooks
    let secrets: WebhookSecrets

    /// Without `dataKeys` (no encryption key) webhooks cannot be created or rotated (503).
    public init(store: Store, settings: ServerConfig.Webhooks, dataKeys: DataKeys?) {
        self.store = store
        self.settings = settings
        self.secrets = WebhookSecrets(keys: dataKeys)
    }

    public func create(_ request: WebhookRequest) async throws -> CreatedWebhook {
        guard secrets.keys != nil else { throw EncryptionError.notConfigured.apiError }
        let fields = try await validate(request, over: nil)
        let secret = WebhookSignature.newSecret()
        let id = store.newID(.webhook, at: store.now())
        let columns = try await secrets.columns(secret, webhookID: id, tenantID: nil)
        let hook = try await store.createWebhook(fields, id: id, secret: columns, tenantID: nil)
        await audit("config.created", hook.id)
        return CreatedWebhook(webhook: hook, secret: secret)
    }

    public func get(_ id: String) async throws -> WebhookRecord {
        guard let hook = try await store.webhook(id) else { throw APIError.notFound("webhook", id) }
        return hook
    }

    public func update(_ id: String, _ request: WebhookRequest) async throws -> WebhookRecord {
        let current = try await get(id)
        let hook = try await store.updateWebhook(id, try await validate(request, over: current))
        await audit("config.updated", id)
        return hook
    }

    public func delete(_ id: String) async throws {
        try await store.deleteWebhook(id)
        await audit("config.deleted", id)
    }

    public func rotateSecret(_ id: String) async throws -> RotatedWebhookSecret {
        let current = try await get(id)
        let secret = WebhookSignature.newSecret()
        let columns = try await secrets.columns(secret, webhookID: id, tenantID: current.tenantID)
        let hook = try await store.rotateWebhookSecret(id, secret: columns)
        await audit("config.updated", id, details: ["change": .string("secret_rotated")])
        return RotatedWebhookSecret(secret: secret, secretPrefix: hook.secretPrefix)
    }

    public func retryEvent(_ id: String) async throws { try await store.retryWebhookEvent(id) }

    /// Seals the clear secrets of webhooks created before migration 0005 (run at start when an
    /// encryption key is configured; without one they keep signing with the clear value).
    /// Returns how many were sealed.
    public func sealLegacySecrets() async throws -> Int {
        guard secrets.keys != nil else { return 0 }
        var sealed = 0
        for legacy in try await store.legacyWebhookSecrets() {
            let columns = try await secrets.columns(legacy.secret, webhookID: legacy.id, tenantID: legacy.tenantID)
            try await store.sealLegacyWebhookSecret(legacy.id, secret: columns)
            sealed += 1
        }
        return sealed
    }

    /// How many webhooks still keep their secret in the clear (to warn about at start).
    public func legacySecretCount() async throws -> Int { try await store.legacyWebhookSecrets().count }

    private func audit(_ action: String, _ id: String, details: [String: MetadataValue] = [:]) async {
        var details = details
        details["kind"] = .string("webhook")
        await store.recordAudit(AuditEntry(action: action, resourceType: "webhook", resourceID: id, details: details))
    }

    /// The request over the current webhook (PUT changes only what it names).
    func validate(_ request: WebhookRequest, over current: WebhookRecord?) async throws -> WebhookFields {
        let name = (request.name ?? current?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 255 else {
            throw APIError.validation("name is required (1-255 characters)", field: "name")
        }
        guard let url = request.url ?? current?.url else { throw APIError.validation("url is required", field: "url") }
        if request.url != nil || current == nil { try await Self.checkURL(url, allowPrivate: settings.allowPrivate) }
        let events = request.events ?? current?.events ?? []
        guard !events.isEmpty else {
            throw APIError.validation("events needs at least one pattern, e.g. \"task.*\" or \"*\"", field: "events")
        }
        for event in events { _ = try EventPattern(parsing: event) }
        let maxRetries = request.maxRetries ?? current?.maxRetries ?? 3
        guard (0...20).contains(maxRetries) else { throw APIError.validation("max_retries must be 0-20", field: "max_retries") }
        let delay = request.retryDelaySeconds ?? current?.retryDelaySeconds ?? 60
        guard (1...86_400).contains(delay) else {
            throw APIError.validation("retry_delay_seconds must be 1-86400", field: "retry_delay_seconds")
        }
        let timeout = request.timeoutSeconds ?? current?.timeoutSeconds ?? 30
        guard (1...300).contains(timeout) else { throw APIError.validation("timeout_seconds must be 1-300", field: "timeout_seconds") }
        let headers = request.headers ?? current?.headers ?? [:]
        for (key, value) in headers {
            guard !key.isEmpty, key.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }),
                !value.contains("\r"), !value.contains("\n")
            else { throw APIError.validation("header \"\(key.prefix(80))\" is not a valid HTTP header", field: "headers") }
            guard !key.lowercased().hasPrefix("x-webhook-"), !["content-type", "user-agent", "host", "content-length"].contains(key.lowercased())
            else { throw APIError.validation("header \"\(key)\" is set by the delivery itself", field: "headers") }
        }
        let labels = request.labels ?? current?.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? current?.annotations ?? [:]
        try Labels.validateAnnotations(annotations)
        return WebhookFields(
            name: name, url: url, events: events, isActive: request.isActive ?? current?.isActive ?? true, maxRetries: maxRetries,
            retryDelaySeconds: delay, timeoutSeconds: timeout, headers: headers, labels: labels, annotations: annotations)
    }

    /// `http(s)://host[:port]/…` whose host resolves only to addresses the SSRF guard allows.
    static func checkURL(_ text: String, allowPrivate: Bool) async throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.user == nil
        else { throw APIError.validation("url must be an http or https URL without credentials", field: "url") }
        let addresses = (try? await HostResolver.addresses(of: host)) ?? []
        guard !addresses.isEmpty else {
            throw APIError.validation("url host \(host) does not resolve; check the name", field: "url")
        }
        for address in addresses {
            if let refusal = WebhookAddressPolicy.refusal(address, allowPrivate: allowPrivate) {
                throw APIError.validation("url refused: \(refusal)", field: "url")
            }
        }
    }
}
