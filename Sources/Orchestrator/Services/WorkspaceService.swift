import Core

public struct WorkspaceService: Sendable {
    public let store: Store
    public init(store: Store) { self.store = store }

    static func validateName(_ name: String) throws(APIError) {
        guard (1...255).contains(name.count), !name.contains("/"), !name.hasPrefix("."),
            name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f })
        else {
            throw APIError(
                status: 400, code: "invalid_name",
                message: "workspace name must be 1-255 printable characters without '/' and must not start with '.'")
        }
    }

    public func create(_ request: CreateWorkspaceRequest, scope: TenantScope) async throws -> WorkspaceRecord {
        guard let name = request.name, !name.isEmpty else { throw APIError.required("name") }
        try Self.validateName(name)
        let storage = request.storageType ?? "volume"
        try Validate.oneOf(storage, ["volume", "pvc", "cas"], field: "storage_type")
        let mobility = request.mobility ?? "local"
        try Validate.oneOf(mobility, ["local", "shared", "object_sync"], field: "mobility")
        if let quota = request.diskQuotaMB, quota < 0 {
            throw APIError.validation("disk_quota_mb must not be negative", field: "disk_quota_mb")
        }
        let labels = request.labels ?? [:]
        try Labels.validate(labels)
        let annotations = request.annotations ?? [:]
        try Labels.validateAnnotations(annotations)
        return try await store.createWorkspace(
            NewWorkspace(
                name: name, persist: request.persist ?? true, storageType: storage, mobility: mobility,
                diskQuotaMB: request.diskQuotaMB, labels: labels, annotations: annotations),
            scope: scope)
    }

    public func get(_ id: String, scope: TenantScope) async throws -> WorkspaceRecord {
        guard let workspace = try await store.workspace(id, scope: scope) else {
            throw APIError.notFound("workspace", id)
        }
        guard workspace.deletedAt == nil else { throw APIError.gone("deleted", "workspace \(id) is deleted") }
        return workspace
    }

    public func update(_ id: String, _ request: UpdateWorkspaceRequest, scope: TenantScope) async throws
        -> WorkspaceRecord
    {
        var changes: [(String, SQLValue)] = []
        if let name = request.name {
            try Self.validateName(name)
            changes.append(("name", .text(name)))
        }
        if let persist = request.persist { changes.append(("persist", .bool(persist))) }
        if let quota = request.diskQuotaMB {
            guard quota >= 0 else { throw APIError.validation("disk_quota_mb must not be negative", field: "disk_quota_mb") }
            changes.append(("disk_quota_mb", .int(quota)))
        }
        if let labels = request.labels {
            try Labels.validate(labels)
            changes.append(("labels", .labels(labels)))
        }
        if let annotations = request.annotations {
            try Labels.validateAnnotations(annotations)
            changes.append(("annotations", .labels(annotations)))
        }
        guard !changes.isEmpty else { return try await get(id, scope: scope) }
        return try await store.updateWorkspace(id, changes: changes, scope: scope)
    }

    public func delete(_ id: String, scope: TenantScope) async throws {
        try await store.deleteWorkspace(id, scope: scope)
    }
}
