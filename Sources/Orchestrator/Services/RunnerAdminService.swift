import Core

/// Operator actions on runners (admin `runners`, api.md §13.2).
public struct RunnerAdminService: Sendable {
    let store: Store
    let hooks: (any OrchestrationHooks)?

    public init(store: Store, hooks: (any OrchestrationHooks)?) {
        self.store = store
        self.hooks = hooks
    }

    /// Ends a free runner: its process (when a provider started it), its connection, its row and
    /// tokens. A runner busy with a session, or starting for one, is refused (409).
    public func destroy(_ id: String) async throws {
        let runner = try await store.destroyableRunner(id)
        await hooks?.runnerDestroyRequested(runnerID: id)
        try await store.deleteRunner(id)
        var details: [String: MetadataValue] = ["name": .string(runner.runner.name)]
        if let pool = runner.runner.poolName { details["pool_name"] = .string(pool) }
        await store.recordAudit(AuditEntry(action: "runner.destroyed", resourceType: "runner", resourceID: id, details: details))
    }
}
