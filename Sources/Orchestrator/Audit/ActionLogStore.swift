import Core
import Foundation

/// One row of the audit log (api.md §13.3 ActionLog).
public struct ActionLogRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var actorType: String
    public var actorID: String?
    public var actorName: String?
    public var action: String
    public var resourceType: String
    public var resourceID: String
    public var sessionID: String?
    public var taskID: String?
    public var details: [String: MetadataValue]
    public var ipAddress: String?
    public var userAgent: String?
    public var success: Bool
    public var errorMessage: String?
    public var createdAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, actorType = "actor_type", actorID = "actor_id", actorName = "actor_name", action, resourceType = "resource_type"
        case resourceID = "resource_id", sessionID = "session_id", taskID = "task_id", details, ipAddress = "ip_address"
        case userAgent = "user_agent", success, errorMessage = "error_message", createdAt = "created_at"
    }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        actorType = try row.requiredString("actor_type")
        actorID = row.string("actor_id")
        actorName = row.string("actor_name")
        action = try row.requiredString("action")
        resourceType = try row.requiredString("resource_type")
        resourceID = try row.requiredString("resource_id")
        sessionID = row.string("session_id")
        taskID = row.string("task_id")
        details = row.string("details").flatMap { try? JSONDecoder().decode([String: MetadataValue].self, from: Data($0.utf8)) } ?? [:]
        ipAddress = row.string("ip_address")
        userAgent = row.string("user_agent")
        success = row.bool("success")
        errorMessage = row.string("error_message")
        createdAt = try row.requiredTimestamp("created_at")
    }
}

/// What one audit entry says (the actor comes with it).
public struct AuditEntry: Sendable {
    public var action: String
    public var resourceType: String
    public var resourceID: String
    public var sessionID: String?
    public var taskID: String?
    public var details: [String: MetadataValue]
    public var success: Bool
    public var errorMessage: String?

    public init(
        action: String, resourceType: String, resourceID: String, sessionID: String? = nil, taskID: String? = nil,
        details: [String: MetadataValue] = [:], success: Bool = true, errorMessage: String? = nil
    ) {
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.sessionID = sessionID
        self.taskID = taskID
        self.details = details
        self.success = success
        self.errorMessage = errorMessage
    }
}

/// `GET /admin/api/v1/action-logs` filters (api.md §13.2).
public struct ActionLogFilter: Sendable {
    public var actorType: String?
    public var actorID: String?
    public var action: String?
    public var actionPrefix: String?
    public var resourceType: String?
    public var resourceID: String?
    public var sessionID: String?
    public var taskID: String?
    public var success: Bool?
    public var from: Timestamp?
    public var to: Timestamp?
    public init() {}
}

extension Store {
    /// Writes one audit row; `actor` nil = the current request's, else `system`. Never throws: an
    /// audit write that fails is logged by the caller's logger only through the returned error.
    @discardableResult
    public func recordAudit(_ entry: AuditEntry, actor: AuditActor? = nil) async -> (any Error)? {
        let actor = actor ?? AuditActor.current ?? .system
        let now = now()
        let id = newID(.actionLog, at: now)
        do {
            try await database.autocommit(.system) { db in
                try await db.execute(
                    """
                    INSERT INTO action_logs (id, actor_type, actor_id, actor_name, action, resource_type, resource_id, session_id,
                      task_id, details, ip_address, user_agent, success, error_message, tenant_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [.text(id), .text(actor.type), .optional(actor.id), .optional(actor.name), .text(entry.action),
                     .text(entry.resourceType), .text(entry.resourceID), .optional(entry.sessionID), .optional(entry.taskID),
                     .json(MetadataValue.encode(entry.details)), .optional(actor.ipAddress),
                     .optional(actor.userAgent.map { String($0.prefix(512)) }), .bool(entry.success),
                     .optional(entry.errorMessage.map { String($0.prefix(2000)) }), .optional(actor.tenantID), .timestamp(now)])
            }
            return nil
        } catch {
            return error
        }
    }

    public func actionLog(_ id: String) async throws -> ActionLogRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM action_logs WHERE id = ?", [.text(id)]).map(ActionLogRecord.init)
        }
    }

    public func actionLogs(_ criteria: ActionLogFilter, page: PageRequest) async throws -> Page<ActionLogRecord> {
        var filter = SQLFilter()
        if let value = criteria.actorType { filter.add("actor_type = ?", .text(value)) }
        if let value = criteria.actorID { filter.add("actor_id = ?", .text(value)) }
        if let value = criteria.action { filter.add("action = ?", .text(value)) }
        if let value = criteria.actionPrefix { filter.add("action LIKE ? ESCAPE '\\'", .text(Self.likePrefix(value))) }
        if let value = criteria.resourceType { filter.add("resource_type = ?", .text(value)) }
        if let value = criteria.resourceID { filter.add("resource_id = ?", .text(value)) }
        if let value = criteria.sessionID { filter.add("session_id = ?", .text(value)) }
        if let value = criteria.taskID { filter.add("task_id = ?", .text(value)) }
        if let value = criteria.success { filter.add("success = ?", .bool(value)) }
        if let value = criteria.from { filter.add("created_at >= ?", .timestamp(value)) }
        if let value = criteria.to { filter.add("created_at < ?", .timestamp(value)) }
        return try await database.read(.system) { [filter] db in
            try await keysetPage(
                db, table: "action_logs", filter: filter, request: page, decode: ActionLogRecord.init,
                cursorOf: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// `prefix%` with LIKE's wildcards in the prefix escaped (`ESCAPE '\'`), so `api_key.` is literal.
    static func likePrefix(_ prefix: String) -> String {
        var escaped = ""
        for character in prefix {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}
