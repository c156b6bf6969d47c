import Core
import Foundation

/// `POST/PUT /admin/api/v1/agent-configs` bodies (api.md §13.2). `api_key` is write-only.
public struct AgentConfigRequest: Decodable, Sendable {
    public var name: String?
    public var agent: String?
    public var apiKey: String?
    public var model: String?
    public var baseURL: String?
    public var extra: [String: JSONAnyValue]?
    public var isDefault: Bool?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var tenantID: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, agent, apiKey = "api_key", model, baseURL = "base_url", extra, isDefault = "is_default", labels, annotations
        case tenantID = "tenant_id"
    }
}

/// Managed agent credentials (auth-security.md §9): the provider key is sealed with the config's
/// own data key (`agent_config/<id>`, slot `agent_config:<id>`), never returned, logged or
/// audited; the runner gets it in clear only at attach, for the agent CLI's environment.
public struct AgentConfigService: Sendable {
    let store: Store
    let keys: DataKeys?
    public static let resourceType = "agent_config"

    public init(store: Store, dataKeys: DataKeys?) {
        self.store = store
        self.keys = dataKeys
    }

    static func slot(_ id: String) -> String { resourceType + ":" + id }

    public func create(_ request: AgentConfigRequest) async throws -> AgentConfigRecord {
        guard let keys else { throw EncryptionError.notConfigured.apiError }
        let fields = try validate(request, over: nil)
        guard let apiKey = request.apiKey else { throw APIError.validation("api_key is required", field: "api_key") }
        try Self.checkKey(apiKey)
        if let tenant = request.tenantID { try Validate.maxLength(tenant, 255, field: "tenant_id") }
        let id = store.newID(.agentConfig, at: store.now())
        let sealed = try await seal(apiKey, id: id, tenantID: request.tenantID, keys: keys)
        let config: AgentConfigRecord
        do {
            config = try await store.createAgentConfig(fields, id: id, sealedKey: sealed, tenantID: request.tenantID)
        } catch {
            try? await keys.destroy(resourceType: Self.resourceType, resourceID: id)
            throw error
        }
        await audit("config.created", config)
        return config
    }

    public func get(_ id: String) async throws -> AgentConfigRecord {
        guard let config = try await store.agentConfig(id) else { throw APIError.notFound("agent config", id) }
        return config
    }

    public func update(_ id: String, _ request: AgentConfigRequest) async throws -> AgentConfigRecord {
        let current = try await get(id)
        if let agent = request.agent, agent != current.agent {
            throw APIError.validation("agent cannot change; create another agent config", field: "agent")
        }
        let fields = try validate(request, over: current)
        var sealed: String?
        if let apiKey = request.apiKey {
            guard let keys else { throw EncryptionError.notConfigured.apiError }
            try Self.checkKey(apiKey)
            sealed = try await seal(apiKey, id: id, tenantID: current.tenantID, keys: keys)
        }
        let config = try await store.updateAgentConfig(id, fields, sealedKey: sealed)
        await audit("config.updated", config, extra: sealed == nil ? [:] : ["key_replaced": .bool(true)])
        return config
    }

    public func delete(_ id: String) async throws {
        let current = try await get(id)
        try await store.deleteAgentConfig(id)
        try? await keys?.destroy(resourceType: Self.resourceType, resourceID: id)
        await audit("config.deleted", current)
    }

    /// The clear key of a managed config, for the runner at attach; nil when the config is gone.
    public func apiKey(configID id: String) async throws -> String? {
        guard let stored = try await store.agentConfigSealedKey(id) else { return nil }
        guard let keys else { throw EncryptionError.notConfigured }
        let key = try await keys.dataKey(resourceType: Self.resourceType, resourceID: id, tenantID: stored.tenantID).key
        return try SealedEnvelope.openText(stored.sealed, key: key, slot: Self.slot(id))
    }

    private func seal(_ apiKey: String, id: String, tenantID: String?, keys: DataKeys) async throws -> String {
        let key = try await keys.dataKey(resourceType: Self.resourceType, resourceID: id, tenantID: tenantID).key
        return try SealedEnvelope.sealText(apiKey, key: key, slot: Self.slot(id))
    }

    static func checkKey(_ apiKey: String) throws(APIError) {
        guard !apiKey.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, apiKey.utf8.count <= 4096 else {
            throw .validation("api_key must be 1-4096 characters", field: "api_key")
        }
        guard !apiKey.contains("\n"), !apiKey.contains("\r"), !apiKey.contains("\0") else {
            throw .validation("api_key must be one line", field: "api_key")
        }
    }

    /// Never the key: name, agent and what changed.
    private func audit(_ action: String, _ config: AgentConfigRecord, extra: [String: MetadataValue] = [:]) async {
        var details = extra
        details["kind"] = .string("agent")
        details["name"] = .string(config.name)
        details["agent"] = .string(config.agent)
        await store.recordAudit(AuditEntry(action: action, resourceType: "agent_config", resourceID: config.id, details: details))
    }

    /// The request over the current config (PUT changes only what it names).
    func validate(_ request: AgentConfigRequest, over current: AgentConfigRecord?) throws(APIError) -> AgentConfigFields {
        let name = (request.name ?? current?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 255 else { throw .validation("name is required (1-255 characters)", field: "name") }
        guard let agent = request.agent ?? current?.agent, !agent.isEmpty else { throw .validation("agent is required", field: "agent") }
        try Validate.agent(agent)
        let model = request.model ?? current?.model
        if let model { try Validate.maxLength(model, 255, field: "model") }
        let baseURL = request.baseURL ?? current?.baseURL
        if let baseURL, request.baseURL != nil {
            guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host?.isEmpty == false, url.user == nil, baseURL.count <= 2048
            else { throw .validation("base_url must be an http or https URL without credentials", field: "base_url") }
        }
        let extra = request.extra ?? current?.extra ?? [:]
        guard JSONAnyValue.encode(extra).utf8.count <= 64 << 10 else {
            throw .validation("extra must be at most 64 KiB of JSON", field: "extra")
        }
        let labels = request.labels ?? current?.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? current?.annotations ?? [:]
        try Labels.validateAnnotations(annotations)
        return AgentConfigFields(
            name: name, agent: agent, model: model, baseURL: baseURL, extra: extra,
            isDefault: request.isDefault ?? current?.isDefault ?? false, labels: labels, annotations: annotations)
    }
}
