/// A gated tool call waiting for an answer (runner-protocol.md §4.1 `PermissionRequest`).
public struct PermissionQuestion: Sendable, Equatable {
    /// The agent's id for the call (`tool_use_id` for Claude Code): `request_id` on the wire.
    public var requestID: String
    public var key: RunKey
    public var sessionID: String
    public var tool: String
    public var action: String
    /// `low`, `medium`, `high` or `critical`.
    public var riskLevel: String
    /// JSON: the working directory and the tool input.
    public var context: String
    public var createdAtMs: Int64

    public init(
        requestID: String, key: RunKey, sessionID: String, tool: String, action: String, riskLevel: String,
        context: String = "", createdAtMs: Int64 = 0
    ) {
        self.requestID = requestID
        self.key = key
        self.sessionID = sessionID
        self.tool = tool
        self.action = action
        self.riskLevel = riskLevel
        self.context = context
        self.createdAtMs = createdAtMs
    }
}

public struct PermissionDecision: Sendable, Equatable {
    public var approved: Bool
    /// Why (the operator's reason, or what the runner decided by itself).
    public var reason: String

    public init(approved: Bool, reason: String) {
        self.approved = approved
        self.reason = reason
    }
}

/// What an executor can ask of the runner besides logging (orchestration.md §4.1
/// `OutputHandler.permission` and `contextUpdate`).
public protocol ExecutorCallbacks: Sendable {
    /// Answers a gated tool call: by the session's policy, a cached answer, or the operator's
    /// answer through the server. Never throws: every failure is a denial.
    func permission(_ question: PermissionQuestion) async -> PermissionDecision
    /// The agent started (or resumed) a conversation; the snapshot lets the next task resume it.
    func contextUpdated(_ snapshot: [UInt8]) async
    /// The agent no longer wants the answer to `question` (asked through ``permission(_:)``, still
    /// unanswered): that call returns a denial and the server cancels the request.
    func withdraw(_ question: PermissionQuestion, reason: String) async
}

extension ExecutorCallbacks {
    public func withdraw(_ question: PermissionQuestion, reason: String) async {}
}

/// Callbacks for executors run without a runner around them (tests, `command`): every gated call
/// is denied.
public struct DenyingCallbacks: ExecutorCallbacks {
    public init() {}
    public func permission(_ question: PermissionQuestion) async -> PermissionDecision {
        PermissionDecision(approved: false, reason: "no permission handler")
    }
    public func contextUpdated(_ snapshot: [UInt8]) async {}
}
