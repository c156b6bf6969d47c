/// A session attached to this runner (`AttachSession` received, `DetachSession` not yet).
public struct AttachedSession: Sendable, Equatable {
    public var sessionID: String
    public var workspacePath: String
    public var workspaceID: String
    public var tenantID: String
    public var agentSettings: AgentSettings?
    public var contextSnapshot: [UInt8]
    /// Permission answers by `task_id:tool` and by action, replayed from `AttachSession` or
    /// received later (for gating executors; orchestration.md §7 step 5).
    public var permissionAnswers: [String: Bool]
    /// `ask` or `auto` (AttachSession.permission_policy; empty = `ask`).
    public var permissionPolicy: String

    public init(
        sessionID: String, workspacePath: String, workspaceID: String = "", tenantID: String = "",
        agentSettings: AgentSettings? = nil, contextSnapshot: [UInt8] = [], permissionAnswers: [String: Bool] = [:],
        permissionPolicy: String = "ask"
    ) {
        self.permissionPolicy = permissionPolicy
        self.sessionID = sessionID
        self.workspacePath = workspacePath
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.agentSettings = agentSettings
        self.contextSnapshot = contextSnapshot
        self.permissionAnswers = permissionAnswers
    }
}

/// The sessions attached to this runner, in attach order.
public struct SessionTable: Sendable {
    private var sessions: [String: AttachedSession] = [:]
    private var order: [String] = []

    public init() {}

    /// `<base>/<workspace_path>` when the command names one (absolute paths are used as they are),
    /// else `<base>/<workspace_id>`, else `<base>/<session_id>`.
    public static func workspacePath(base: String, workspacePath: String, workspaceID: String, sessionID: String)
        -> String
    {
        let trimmedBase = base.count > 1 && base.hasSuffix("/") ? String(base.dropLast()) : base
        func join(_ name: String) -> String {
            trimmedBase == "/" ? "/" + name : trimmedBase + "/" + name
        }
        if !workspacePath.isEmpty {
            return workspacePath.hasPrefix("/") ? workspacePath : join(workspacePath)
        }
        if !workspaceID.isEmpty, isSafeName(workspaceID) { return join(workspaceID) }
        return join(isSafeName(sessionID) ? sessionID : "session")
    }

    /// The working directory of a task: the session workspace, or `work_dir` (relative to the
    /// workspace unless absolute).
    public static func workingDirectory(workspace: String, workDir: String) -> String {
        if workDir.isEmpty || workDir == "." { return workspace }
        if workDir.hasPrefix("/") { return workDir }
        return workspace + "/" + workDir
    }

    private static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/")
    }

    @discardableResult
    public mutating func attach(_ command: AttachSessionCommand, base: String) -> AttachedSession {
        var answers = sessions[command.sessionID]?.permissionAnswers ?? [:]
        for answer in command.pendingPermissions {
            for key in Self.answerKeys(answer) { answers[key] = answer.approved }
        }
        let session = AttachedSession(
            sessionID: command.sessionID,
            workspacePath: Self.workspacePath(
                base: base, workspacePath: command.workspacePath, workspaceID: command.workspaceID,
                sessionID: command.sessionID),
            workspaceID: command.workspaceID,
            tenantID: command.tenantID,
            agentSettings: command.agentSettings,
            // A re-attach without a snapshot (the server has none yet) keeps the one this agent knows.
            contextSnapshot: command.contextSnapshot.isEmpty ? (sessions[command.sessionID]?.contextSnapshot ?? []) : command.contextSnapshot,
            permissionAnswers: answers,
            permissionPolicy: command.permissionPolicy.isEmpty ? "ask" : command.permissionPolicy)
        if sessions.updateValue(session, forKey: command.sessionID) == nil { order.append(command.sessionID) }
        return session
    }

    public mutating func detach(_ sessionID: String) -> AttachedSession? {
        guard let session = sessions.removeValue(forKey: sessionID) else { return nil }
        order.removeAll { $0 == sessionID }
        return session
    }

    public mutating func record(_ answer: PendingPermissionAnswer, sessionID: String) {
        guard var session = sessions[sessionID] else { return }
        for key in Self.answerKeys(answer) { session.permissionAnswers[key] = answer.approved }
        sessions[sessionID] = session
    }

    /// The conversation the session's next task resumes (from `ContextUpdate` or a result).
    public mutating func updateContext(_ sessionID: String, snapshot: [UInt8]) {
        guard !snapshot.isEmpty else { return }
        sessions[sessionID]?.contextSnapshot = snapshot
    }

    /// An earlier answer to the same action of the same task (a task re-run after the session
    /// was suspended while it waited, answered meanwhile).
    public func cachedAnswer(sessionID: String, taskID: String, action: String) -> Bool? {
        sessions[sessionID]?.permissionAnswers[Self.taskActionKey(taskID: taskID, action: action)]
    }

    static func taskActionKey(taskID: String, action: String) -> String { "task:" + taskID + ":action:" + action }

    public subscript(sessionID: String) -> AttachedSession? { sessions[sessionID] }

    public var all: [AttachedSession] { order.compactMap { sessions[$0] } }

    /// The most recently attached session (`Heartbeat.active_session_id`).
    public var activeSessionID: String? { order.last }

    static func answerKeys(_ answer: PendingPermissionAnswer) -> [String] {
        var keys: [String] = []
        if !answer.taskID.isEmpty, !answer.tool.isEmpty { keys.append(answer.taskID + ":" + answer.tool) }
        if !answer.action.isEmpty { keys.append("action:" + answer.action) }
        if !answer.taskID.isEmpty, !answer.action.isEmpty {
            keys.append(taskActionKey(taskID: answer.taskID, action: answer.action))
        }
        return keys
    }
}
