/// Body of `POST /admin/api/v1/agent-configs` and `PUT …/{id}` (only what is set is sent).
public struct AgentConfigRequest: Sendable {
    public var name: String?
    public var agent: String?
    /// Write-only: the server seals it and never returns it.
    public var apiKey: String?
    public var model: String?
    public var baseURL: String?
    /// A JSON object (system prompt, tool lists, custom command…).
    public var extra: JSONValue?
    public var isDefault: Bool?
    public var labels: [(String, String)]?

    public init() {}

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "agent": agent.map(JSONValue.string),
            "api_key": apiKey.map(JSONValue.string),
            "model": model.map(JSONValue.string),
            "base_url": baseURL.map(JSONValue.string),
            "extra": extra,
            "is_default": isDefault.map(JSONValue.bool),
            "labels": labels.map(JSONValue.stringMap),
        ])
    }
}

/// Admin API: agent configs (managed agent credentials, api.md §13.2).
extension MarionetteClient {
    static func adminAgentConfigPath(_ id: String) -> String { "/admin/api/v1/agent-configs/" + pathSegment(id) }

    public func createAgentConfig(_ request: AgentConfigRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/admin/api/v1/agent-configs", body: request.json)
    }

    public func listAgentConfigs(agent: String?, page: PageRequest = PageRequest(), all: Bool = false) async throws -> JSONValue {
        let query = agent.map { [QueryItem("agent", $0)] } ?? []
        return all
            ? try await listAll("/admin/api/v1/agent-configs", query: query, page: page)
            : try await list("/admin/api/v1/agent-configs", query: query, page: page)
    }

    public func getAgentConfig(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.adminAgentConfigPath(id))
    }

    public func updateAgentConfig(_ id: String, _ request: AgentConfigRequest) async throws -> JSONValue {
        try await sendExpectingBody(.PUT, Self.adminAgentConfigPath(id), body: request.json)
    }

    public func deleteAgentConfig(_ id: String) async throws {
        try await send(.DELETE, Self.adminAgentConfigPath(id))
    }
}
