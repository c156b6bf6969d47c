import Core

/// A row of `permission_requests` (data-model.md §3.10), encoded as the API's PermissionRequest
/// (api.md §12; the tenant is never encoded).
public struct PermissionRecord: Sendable, Equatable, Encodable {
    public var id: String
    /// The agent's id for the call (`tool_use_id`): what `ApprovePermission.request_id` names.
    public var originalRequestID: String
    public var sessionID: String
    public var taskID: String
    public var runID: String
    public var tool: String
    public var action: String
    public var context: String?
    public var riskLevel: String
    public var status: String
    public var suspendAfterSeconds: Int
    public var respondedBy: String?
    public var responseReason: String?
    public var respondedAt: Timestamp?
    public var deliveredAt: Timestamp?
    public var tenantID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, originalRequestID = "original_request_id", sessionID = "session_id", taskID = "task_id"
        case runID = "run_id", tool, action, context, riskLevel = "risk_level", status
        case suspendAfterSeconds = "suspend_after_seconds", respondedBy = "responded_by"
        case responseReason = "response_reason", respondedAt = "responded_at", deliveredAt = "delivered_at"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public static let statuses = ["pending", "approved", "denied", "canceled"]
    public static let riskLevels = ["low", "medium", "high", "critical"]

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        originalRequestID = try row.requiredString("original_request_id")
        sessionID = try row.requiredString("session_id")
        taskID = try row.requiredString("task_id")
        runID = try row.requiredString("run_id")
        tool = try row.requiredString("tool")
        action = try row.requiredString("action")
        context = row.string("context")
        riskLevel = row.string("risk_level") ?? "medium"
        status = try row.requiredString("status")
        suspendAfterSeconds = row.int("suspend_after_seconds") ?? 1800
        respondedBy = row.string("responded_by")
        responseReason = row.string("response_reason")
        respondedAt = row.timestamp("responded_at")
        deliveredAt = row.timestamp("delivered_at")
        tenantID = row.string("tenant_id")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }

    /// An answered request has `approved` or `denied`.
    public var approved: Bool { status == "approved" }
    public var isAnswered: Bool { status == "approved" || status == "denied" }
}
