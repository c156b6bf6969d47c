/// Messages the agent sends on `Connect` (runner-protocol.md §4.1), before conversion to the
/// generated `RunnerMessage` by `FabricMapping`.
public enum AgentEvent: Sendable, Equatable {
    case heartbeat(HeartbeatSnapshot)
    case taskAccepted(RunKey)
    case taskStarted(RunKey)
    case taskCompleted(TaskCompletion)
    case sessionAttached(sessionID: String, restored: Bool, workspaceRestored: Bool)
    case sessionSuspended(SessionSuspension)
    case permissionResponseAck(requestID: String, permissionID: String)
    /// A stream's source failed (or could not start): runner-protocol.md §11.
    case streamStatus(StreamStatusReport)
    /// A gated tool call waits for the operator (§4.1 `permission_request`).
    case permissionRequest(PermissionQuestion)
    /// The agent withdrew a question it asked (Claude's `control_cancel_request`): the server
    /// cancels the pending permission request (`permission_withdrawn`, ours).
    case permissionWithdrawn(PermissionQuestion, reason: String)
    /// The session's agent conversation changed (§4.1 `context_update`).
    case contextUpdate(sessionID: String, taskID: String, snapshot: [UInt8])

    /// Never dropped when the outbox is full (§4.4): the sender waits instead.
    public var isCritical: Bool {
        switch self {
        case .taskCompleted, .sessionSuspended, .permissionResponseAck, .streamStatus, .permissionRequest, .permissionWithdrawn,
            .contextUpdate:
            true
        case .heartbeat, .taskAccepted, .taskStarted, .sessionAttached: false
        }
    }

    public var isHeartbeat: Bool {
        if case .heartbeat = self { true } else { false }
    }
}

public struct TaskCompletion: Sendable, Equatable {
    public var key: RunKey
    public var success: Bool
    public var error: String
    public var exitCode: Int32
    public var lastLogSequence: Int64
    public var tokensInput: Int64
    public var tokensOutput: Int64
    public var costUSD: Double
    public var contextSnapshot: [UInt8]
    public var tokensCachedInput: Int64 = 0

    public init(
        key: RunKey, success: Bool, error: String = "", exitCode: Int32 = 0, lastLogSequence: Int64 = 0,
        tokensInput: Int64 = 0, tokensOutput: Int64 = 0, costUSD: Double = 0, contextSnapshot: [UInt8] = []
    ) {
        self.key = key
        self.success = success
        self.error = error
        self.exitCode = exitCode
        self.lastLogSequence = lastLogSequence
        self.tokensInput = tokensInput
        self.tokensOutput = tokensOutput
        self.costUSD = costUSD
        self.contextSnapshot = contextSnapshot
    }
}

public struct StreamStatusReport: Sendable, Equatable {
    public var streamID: String
    public var sessionID: String
    /// `starting`, `active`, `stopped` or `failed`.
    public var state: String
    public var error: String
    /// e.g. `display_unavailable`, `device_disconnected`, `source_failed`.
    public var errorCode: String
    public var recoverable: Bool
    public var atUnixMs: Int64

    public init(
        streamID: String, sessionID: String, state: String, error: String = "", errorCode: String = "", recoverable: Bool = false,
        atUnixMs: Int64
    ) {
        self.streamID = streamID
        self.sessionID = sessionID
        self.state = state
        self.error = error
        self.errorCode = errorCode
        self.recoverable = recoverable
        self.atUnixMs = atUnixMs
    }
}

public struct SessionSuspension: Sendable, Equatable {
    public var sessionID: String
    public var strategy: String
    public var success: Bool
    public var error: String
    public var contextSaved: Bool
    public var workspaceSynced: Bool
    public var suspendedAtMs: Int64

    public init(
        sessionID: String, strategy: String, success: Bool, error: String = "", contextSaved: Bool = false,
        workspaceSynced: Bool = false, suspendedAtMs: Int64
    ) {
        self.sessionID = sessionID
        self.strategy = strategy
        self.success = success
        self.error = error
        self.contextSaved = contextSaved
        self.workspaceSynced = workspaceSynced
        self.suspendedAtMs = suspendedAtMs
    }
}

public struct HeartbeatSnapshot: Sendable, Equatable {
    public var runnerID: String
    /// `idle` or `busy`.
    public var status: String
    public var uptimeSeconds: Int64
    public var cpuPercent: Double
    public var memoryBytes: Int64
    public var diskBytes: Int64
    public var activeSessionID: String
    public var runningRuns: [RunKey]

    public init(
        runnerID: String = "", status: String, uptimeSeconds: Int64, cpuPercent: Double = 0, memoryBytes: Int64 = 0,
        diskBytes: Int64 = 0, activeSessionID: String = "", runningRuns: [RunKey] = []
    ) {
        self.runnerID = runnerID
        self.status = status
        self.uptimeSeconds = uptimeSeconds
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.diskBytes = diskBytes
        self.activeSessionID = activeSessionID
        self.runningRuns = runningRuns
    }
}

/// Where the command handler sends its events (the `Outbox` in production, a recorder in tests).
public protocol AgentEventSink: Sendable {
    func send(_ event: AgentEvent) async
}
