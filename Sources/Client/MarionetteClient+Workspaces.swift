/// Body of `POST /api/v1/workspaces`; `nil` fields are not sent.
public struct CreateWorkspaceRequest: Sendable {
    public var name: String?
    public var persist: Bool?
    public var storageType: String?
    public var mobility: String?
    public var diskQuotaMB: Int?
    public var labels: [(String, String)]?
    public var annotations: [(String, String)]?

    public init() {}

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "persist": persist.map(JSONValue.bool),
            "storage_type": storageType.map(JSONValue.string),
            "mobility": mobility.map(JSONValue.string),
            "disk_quota_mb": diskQuotaMB.map(JSONValue.int),
            "labels": labels.map(JSONValue.stringMap),
            "annotations": annotations.map(JSONValue.stringMap),
        ])
    }
}

/// Body of `PATCH /api/v1/workspaces/{id}`: only set fields are sent.
public struct UpdateWorkspaceRequest: Sendable {
    public var name: String?
    public var persist: Bool?
    public var diskQuotaMB: Int?
    public var labels: [(String, String)]?
    public var annotations: [(String, String)]?

    public init() {}

    public var isEmpty: Bool { json.objectValue?.isEmpty ?? true }

    public var json: JSONValue {
        .object([
            "name": name.map(JSONValue.string),
            "persist": persist.map(JSONValue.bool),
            "disk_quota_mb": diskQuotaMB.map(JSONValue.int),
            "labels": labels.map(JSONValue.stringMap),
            "annotations": annotations.map(JSONValue.stringMap),
        ])
    }
}

extension MarionetteClient {
    static func workspacePath(_ id: String) -> String { "/api/v1/workspaces/" + pathSegment(id) }

    public func createWorkspace(_ request: CreateWorkspaceRequest) async throws -> JSONValue {
        try await sendExpectingBody(.POST, "/api/v1/workspaces", body: request.json)
    }

    public func listWorkspaces(labels: [(String, String)] = [], page: PageRequest = PageRequest(), all: Bool = false)
        async throws -> JSONValue
    {
        all
            ? try await listAll("/api/v1/workspaces", query: labelQueryItems(labels), page: page)
            : try await list("/api/v1/workspaces", query: labelQueryItems(labels), page: page)
    }

    public func getWorkspace(_ id: String) async throws -> JSONValue {
        try await sendExpectingBody(.GET, Self.workspacePath(id))
    }

    public func updateWorkspace(_ id: String, _ request: UpdateWorkspaceRequest) async throws -> JSONValue {
        try await sendExpectingBody(.PATCH, Self.workspacePath(id), body: request.json)
    }

    public func deleteWorkspace(_ id: String) async throws {
        try await send(.DELETE, Self.workspacePath(id))
    }
}
