/// What an executor gets to run (orchestration.md §4.1 `task`).
public struct ExecutorTask: Sendable {
    public var key: RunKey
    public var sessionID: String
    public var prompt: String
    public var workingDirectory: String
    /// Complete environment of the task process.
    public var environment: [String: String]
    public var agentSettings: AgentSettings?
    public var contextSnapshot: [UInt8]
    /// The session's `permission_policy`: `ask` (gated calls wait for the operator) or `auto`.
    public var permissionPolicy: String
    public var callbacks: any ExecutorCallbacks

    public init(
        key: RunKey, sessionID: String, prompt: String, workingDirectory: String, environment: [String: String],
        agentSettings: AgentSettings? = nil, contextSnapshot: [UInt8] = [], permissionPolicy: String = "ask",
        callbacks: any ExecutorCallbacks = DenyingCallbacks()
    ) {
        self.permissionPolicy = permissionPolicy
        self.callbacks = callbacks
        self.key = key
        self.sessionID = sessionID
        self.prompt = prompt
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.agentSettings = agentSettings
        self.contextSnapshot = contextSnapshot
    }
}

/// The outcome of a run as the executor sees it (orchestration.md §4.1 `Result`).
public struct ExecutorResult: Sendable, Equatable {
    public var success: Bool
    public var exitCode: Int32
    public var error: String
    public var tokensInput: Int64
    public var tokensOutput: Int64
    public var costUSD: Double
    public var contextSnapshot: [UInt8]
    /// The part of `tokensInput` the provider served from its cache (Codex), for the price table.
    public var tokensCachedInput: Int64 = 0

    public init(
        success: Bool, exitCode: Int32, error: String = "", tokensInput: Int64 = 0, tokensOutput: Int64 = 0,
        costUSD: Double = 0, contextSnapshot: [UInt8] = []
    ) {
        self.success = success
        self.exitCode = exitCode
        self.error = error
        self.tokensInput = tokensInput
        self.tokensOutput = tokensOutput
        self.costUSD = costUSD
        self.contextSnapshot = contextSnapshot
    }
}

/// A started task: its process group (for kill and for session detach) and its result.
public protocol RunningTask: Sendable {
    /// Process groups the task started (its own group at least).
    var processGroups: [Int32] { get }
    /// Returns when the main process has exited and its output was drained (≤ 1 s) or abandoned.
    func result() async -> ExecutorResult
    /// Asks the agent to stop its turn the way its protocol allows (Claude `interrupt`, Codex
    /// `turn/interrupt`), before `KillTask` signals it. False when there is no such way or the
    /// request could not be sent; then the signals come at once.
    func interrupt() -> Bool
}

extension RunningTask {
    public func interrupt() -> Bool { false }
}

/// An agent executor (`command`, `claude`, `codex`, `custom`).
public protocol TaskExecutor: Sendable {
    /// The `agent.<name>` capability this executor provides.
    var name: String { get }
    /// Starts the task; lines go to `output`. Throws when the process cannot be started.
    func start(_ task: ExecutorTask, output: RunOutput) throws -> any RunningTask
}
