import Core
import Foundation

/// `POST/PUT /admin/api/v1/profiles` bodies (api.md §13.2). On PUT a field left out (or `null`)
/// keeps its value; an empty string clears `description`, `provider_config_id` and the scripts.
public struct ProfileRequest: Decodable, Sendable {
    public var name: String?
    public var description: String?
    public var providerConfigID: String?
    public var resources: [String: JSONAnyValue]?
    public var network: [String: JSONAnyValue]?
    public var initScript: String?
    public var cleanupScript: String?
    public var tunnels: [JSONAnyValue]?
    public var selector: [String: JSONAnyValue]?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, description, providerConfigID = "provider_config_id", resources, network, initScript = "init_script"
        case cleanupScript = "cleanup_script", tunnels, selector, labels, annotations
    }
}

/// Runner profiles (data-model.md §3.3): resources, network policy, scripts and auto-created
/// tunnels and streams that sessions and spawned runners name. The built-ins are read-only.
public struct ProfileService: Sendable {
    let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func create(_ request: ProfileRequest) async throws -> ProfileRecord {
        let fields = try validate(request, over: nil)
        let id = store.newID(.profile, at: store.now())
        let profile = try await store.createProfile(fields, id: id, tenantID: nil)
        await audit("config.created", profile)
        return profile
    }

    public func get(_ id: String) async throws -> ProfileRecord {
        guard let profile = try await store.profile(id) else { throw APIError.notFound("profile", id) }
        return profile
    }

    public func update(_ id: String, _ request: ProfileRequest) async throws -> ProfileRecord {
        let current = try await get(id)
        // Before validating: a built-in is refused whatever the body says.
        if current.isBuiltin { throw APIError.builtinProfileIsReadOnly(id) }
        let profile = try await store.updateProfile(id, try validate(request, over: current))
        await audit("config.updated", profile)
        return profile
    }

    public func delete(_ id: String) async throws {
        let current = try await get(id)
        try await store.deleteProfile(id)
        await audit("config.deleted", current)
    }

    /// `config.*` (auth-security.md §14).
    private func audit(_ action: String, _ profile: ProfileRecord) async {
        await store.recordAudit(
            AuditEntry(action: action, resourceType: "profile", resourceID: profile.id, details: ["kind": .string("profile"), "name": .string(profile.name)]))
    }

    /// The request over the current profile (PUT changes only what it names).
    func validate(_ request: ProfileRequest, over current: ProfileRecord?) throws(APIError) -> ProfileFields {
        let name = (request.name ?? current?.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 255 else { throw .validation("name is required (1-255 characters)", field: "name") }
        let description = Self.text(request.description, over: current?.description)
        if let description { try Validate.maxLength(description, 1024, field: "description") }
        let providerConfigID = Self.text(request.providerConfigID, over: current?.providerConfigID)
        try Validate.optionalID(providerConfigID, .providerConfig, field: "provider_config_id")
        let resources = request.resources ?? current?.resources ?? [:]
        try ProfileRules.resources(resources)
        let network = request.network ?? current?.network ?? [:]
        try ProfileRules.network(network)
        let initScript = Self.text(request.initScript, over: current?.initScript)
        try ProfileRules.script(initScript, field: "init_script")
        let cleanupScript = Self.text(request.cleanupScript, over: current?.cleanupScript)
        try ProfileRules.script(cleanupScript, field: "cleanup_script")
        let tunnels = request.tunnels ?? current?.tunnels ?? []
        try ProfileRules.tunnels(tunnels)
        let selector = request.selector ?? current?.selector ?? [:]
        try ProfileRules.selector(selector)
        let labels = request.labels ?? current?.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? current?.annotations ?? [:]
        try Labels.validateAnnotations(annotations)
        return ProfileFields(
            name: name, description: description, providerConfigID: providerConfigID, resources: resources, network: network,
            initScript: initScript, cleanupScript: cleanupScript, tunnels: tunnels, selector: selector, labels: labels,
            annotations: annotations)
    }

    /// A text field over its current value: absent keeps it, empty clears it.
    private static func text(_ value: String?, over current: String?) -> String? {
        guard let value else { return current }
        return value.isEmpty ? nil : value
    }
}
