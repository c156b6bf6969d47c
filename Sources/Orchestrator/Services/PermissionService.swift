import Core

/// Permission requests (api.md §6): listing, and the operator's answer, which the runtime then
/// delivers to the waiting agent (or resumes a suspended session to deliver it on attach).
public struct PermissionService: Sendable {
    public let store: Store
    public var hooks: (any OrchestrationHooks)?

    public init(store: Store) {
        self.store = store
    }

    public func list(_ filter: PermissionFilter, page: PageRequest, scope: TenantScope) async throws -> Page<PermissionRecord> {
        try await store.permissions(filter, page: page, scope: scope)
    }

    public func get(_ id: String, scope: TenantScope) async throws -> PermissionRecord {
        guard let record = try await store.permission(id, scope: scope) else { throw APIError.notFound("permission request", id) }
        return record
    }

    /// Approve or deny a pending request; `respondedBy` is the API key id.
    public func answer(_ id: String, approved: Bool, reason: String?, respondedBy: String?, scope: TenantScope) async throws
        -> PermissionRecord
    {
        if let reason { try Validate.maxLength(reason, 4096, field: "reason") }
        let record = try await store.answerPermission(
            id, approved: approved, reason: reason.flatMap { $0.isEmpty ? nil : $0 }, respondedBy: respondedBy, scope: scope)
        await hooks?.permissionAnswered(record)
        return record
    }
}

/// `POST /api/v1/permissions/{id}/approve|deny` body.
public struct PermissionAnswerRequest: Decodable, Sendable {
    public var reason: String?
}
