import Core
import Logging
import ServiceLifecycle

/// Writes the audited events (auth-security.md §14) to `action_logs`: each with the actor that
/// caused it (the API request's, carried by the event), a runner for `runner.*`, else `system`.
/// Its `EventBus` subscription never drops.
public struct AuditRecorder: Service {
    let store: Store
    let logger: Logger

    static let audited: Set<String> = [
        "session.created", "session.resumed", "session.suspended", "session.terminated",
        "task.created", "task.started", "task.completed", "task.failed", "task.canceled",
        "permission.approved", "permission.denied", "permission.canceled",
        "runner.connected", "runner.disconnected", "runner.assigned", "runner.released",
        "tunnel.created", "tunnel.closed", "tunnel.expired", "stream.created", "stream.stopped", "stream.failed",
    ]

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        let events = store.events.subscribe(.init(scope: .system), unbounded: true)
        await cancelWhenGracefulShutdown {
            for await delivery in events {
                guard case .event(let event) = delivery, Self.audited.contains(event.type) else { continue }
                let (entry, actor) = Self.entry(for: event)
                if let error = await store.recordAudit(entry, actor: actor) {
                    logger.error("audit entry not written", metadata: ["action": "\(event.type)", "error": "\(error)"])
                }
            }
        }
    }

    static func entry(for event: DomainEvent) -> (AuditEntry, AuditActor) {
        var actor = event.actor ?? (event.resourceType == "runner" ? AuditActor(type: "runner", id: event.resourceID) : .system)
        if actor.tenantID == nil { actor.tenantID = event.tenantID }
        var sessionID: String?
        var taskID: String?
        switch event.resourceType {
        case "session": sessionID = event.resourceID
        case "task": taskID = event.resourceID
        default: break
        }
        if case .string(let id)? = event.data["session_id"] { sessionID = id }
        if case .string(let id)? = event.data["task_id"] { taskID = id }
        // A task or stream that failed is a fact recorded with success: its error is in the details.
        return (
            AuditEntry(
                action: event.type, resourceType: event.resourceType, resourceID: event.resourceID, sessionID: sessionID,
                taskID: taskID, details: event.data),
            actor
        )
    }
}
