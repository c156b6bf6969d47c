import Core
import Foundation

/// `POST/PUT /admin/api/v1/provider-configs` bodies (api.md §13.2).
public struct ProviderConfigRequest: Decodable, Sendable {
    public var name: String?
    public var provider: String?
    public var config: [String: JSONAnyValue]?
    public var suspendConfig: [String: JSONAnyValue]?
    public var isDefault: Bool?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, provider, config, suspendConfig = "suspend_config", isDefault = "is_default", labels, annotations
    }
}

/// Provider configs (data-model.md §3.1): named settings of a runner provider, which profiles and
/// spawned runners point at. The provider type is fixed at creation.
public struct ProviderConfigService: Sendable {
    let store: Store
    public static let providers = ["local", "docker", "kubernetes", "e2b", "pool"]
    static let configLimit = 64 << 10

    public init(store: Store) {
        self.store = store
    }

    public func create(_ request: ProviderConfigRequest) async throws -> ProviderConfigRecord {
        let fields = try validate(request, over: nil)
        let id = store.newID(.providerConfig, at: store.now())
        let config = try await store.createProviderConfig(fields, id: id, tenantID: nil)
        await audit("config.created", config)
        return config
    }

    public func get(_ id: String) async throws -> ProviderConfigRecord {
        guard let config = try await store.providerConfig(id) else { throw APIError.notFound("provider config", id) }
        return config
    }

    public func update(_ id: String, _ request: ProviderConfigRequest) async throws -> ProviderConfigRecord {
        let current = try await get(id)
        if let provider = request.provider, provider != current.provider {
            throw APIError.validation("provider cannot change; create another provider config", field: "provider")
        }
        let config = try await store.updateProviderConfig(id, try validate(request, over: current))
        await audit("config.updated", config)
        return config
    }

    public func delete(_ id: String) async throws {
        let current = try await get(id)
        try await store.deleteProviderConfig(id)
        await audit("config.deleted", current)
    }

    /// `config.*` (auth-security.md §14) with name and provider only: `config` may hold
    /// credentials (an E2B key, a cluster token).
    private func audit(_ action: String, _ config: ProviderConfigRecord) async {
        await store.recordAudit(
            AuditEntry(
                action: action, resourceType: "provider_config", resourceID: config.id,
                details: ["kind": .string("provider"), "name": .string(config.name), "provider": .string(config.provider)]))
    }

    /// The request over the current config (PUT changes only what it names).
    func validate(_ request: ProviderConfigRequest, over current: ProviderConfigRecord?) throws(APIError) -> ProviderConfigFields {
        let name = (request.name ?? current?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 255 else { throw .validation("name is required (1-255 characters)", field: "name") }
        guard let provider = request.provider ?? current?.provider, !provider.isEmpty else {
            throw .validation("provider is required (\(Self.providers.joined(separator: ", ")))", field: "provider")
        }
        try Validate.oneOf(provider, Self.providers, field: "provider")
        let config = request.config ?? current?.config ?? [:]
        guard JSONAnyValue.encode(config).utf8.count <= Self.configLimit else {
            throw .validation("config must be at most 64 KiB of JSON", field: "config")
        }
        let suspend = request.suspendConfig ?? current?.suspendConfig ?? [:]
        try SuspendConfigRules.validate(suspend)
        let labels = request.labels ?? current?.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? current?.annotations ?? [:]
        try Labels.validateAnnotations(annotations)
        return ProviderConfigFields(
            name: name, provider: provider, config: config, suspendConfig: suspend,
            isDefault: request.isDefault ?? current?.isDefault ?? false, labels: labels, annotations: annotations)
    }
}
