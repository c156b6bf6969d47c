import Fabric
/// Commands the server sends on `Connect` (runner-protocol.md §4.2), reduced to what the agent
/// acts on. `FabricMapping` converts from the generated `ServerCommand`.
public enum AgentCommand: Sendable, Equatable {
    case attachSession(AttachSessionCommand)
    case executeTask(ExecuteTaskCommand)
    case killTask(KillTaskCommand)
    case detachSession(DetachSessionCommand)
    case approvePermission(ApprovePermissionCommand)
    case drain(reason: String, reconnectAfterMs: Int64)
    /// Start capturing a stream (testsrc, desktop, android) and send it on its `Media` RPC.
    case startStream(Marionette_Runner_V1_StartStream)
    case stopStream(streamID: String, reason: String)
    /// Dial a local port and open its data-connection stream (runner-protocol.md §10.3).
    case openTunnelConnection(OpenTunnelConnectionCommand)
    /// The server closed a tunnel; it resets the tunnel's streams itself.
    case closeTunnel(tunnelID: String, reason: String)
    /// A command this agent does not handle yet (tunnels, streams, …); logged and ignored.
    case unsupported(String)
}

public struct AgentSettings: Sendable, Equatable {
    /// `claude`, `codex`, `command`, `custom` or a named custom agent.
    public var agent: String
    public var model: String
    /// The provider key the server sent (BYOK or a managed agent config), nil when the agent CLI
    /// uses its own login. Wiped on session detach (auth-security.md §9).
    public var credential: AgentSecret?
    public var baseURL: String
    public var extra: [String: String]

    public init(agent: String = "", model: String = "", apiKey: String = "", baseURL: String = "", extra: [String: String] = [:]) {
        self.agent = agent
        self.model = model
        self.credential = apiKey.isEmpty ? nil : AgentSecret(apiKey)
        self.baseURL = baseURL
        self.extra = extra
    }

    /// The key as a transient String for the agent process's environment ("" when none, or wiped).
    public var apiKey: String { credential?.string ?? "" }

    public static func == (lhs: AgentSettings, rhs: AgentSettings) -> Bool {
        lhs.agent == rhs.agent && lhs.model == rhs.model && lhs.baseURL == rhs.baseURL && lhs.extra == rhs.extra
            && lhs.apiKey == rhs.apiKey
    }
}

public struct PendingPermissionAnswer: Sendable, Equatable {
    public var requestID: String
    public var permissionID: String
    public var approved: Bool
    public var reason: String
    public var taskID: String
    public var tool: String
    public var action: String

    public init(
        requestID: String, permissionID: String, approved: Bool, reason: String = "", taskID: String = "",
        tool: String = "", action: String = ""
    ) {
        self.requestID = requestID
        self.permissionID = permissionID
        self.approved = approved
        self.reason = reason
        self.taskID = taskID
        self.tool = tool
        self.action = action
    }
}

public struct AttachSessionCommand: Sendable, Equatable {
    public var sessionID: String
    public var workspacePath: String
    public var workspaceID: String
    public var tenantID: String
    public var contextSnapshot: [UInt8]
    public var agentSettings: AgentSettings?
    public var pendingPermissions: [PendingPermissionAnswer]
    public var permissionPolicy: String

    public init(
        sessionID: String, workspacePath: String = "", workspaceID: String = "", tenantID: String = "",
        contextSnapshot: [UInt8] = [], agentSettings: AgentSettings? = nil,
        pendingPermissions: [PendingPermissionAnswer] = [], permissionPolicy: String = ""
    ) {
        self.sessionID = sessionID
        self.workspacePath = workspacePath
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.contextSnapshot = contextSnapshot
        self.agentSettings = agentSettings
        self.pendingPermissions = pendingPermissions
        self.permissionPolicy = permissionPolicy
    }
}

public struct ExecuteTaskCommand: Sendable, Equatable {
    public var taskID: String
    public var runID: String
    public var attempt: Int32
    public var sessionID: String
    public var prompt: String
    public var workDir: String
    public var environment: [String: String]
    /// `sandbox.timeout_seconds`; 0 = none given (the agent applies 1 h).
    public var timeoutSeconds: Int64
    public var agentSettings: AgentSettings?

    public init(
        taskID: String, runID: String, attempt: Int32 = 1, sessionID: String, prompt: String, workDir: String = "",
        environment: [String: String] = [:], timeoutSeconds: Int64 = 0, agentSettings: AgentSettings? = nil
    ) {
        self.taskID = taskID
        self.runID = runID
        self.attempt = attempt
        self.sessionID = sessionID
        self.prompt = prompt
        self.workDir = workDir
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
        self.agentSettings = agentSettings
    }

    public var key: RunKey { RunKey(taskID: taskID, runID: runID, attempt: attempt) }
}

public struct KillTaskCommand: Sendable, Equatable {
    public var taskID: String
    public var runID: String
    /// `timeout`, `canceled`, …
    public var reason: String

    public init(taskID: String, runID: String, reason: String) {
        self.taskID = taskID
        self.runID = runID
        self.reason = reason
    }
}

public struct DetachSessionCommand: Sendable, Equatable {
    public var sessionID: String
    public var strategy: String
    public var syncWorkspace: Bool
    public var reason: String

    public init(sessionID: String, strategy: String = "", syncWorkspace: Bool = false, reason: String = "") {
        self.sessionID = sessionID
        self.strategy = strategy
        self.syncWorkspace = syncWorkspace
        self.reason = reason
    }
}

public struct ApprovePermissionCommand: Sendable, Equatable {
    public var answer: PendingPermissionAnswer
    public var fromCache: Bool

    public init(answer: PendingPermissionAnswer, fromCache: Bool = false) {
        self.answer = answer
        self.fromCache = fromCache
    }
}

public struct OpenTunnelConnectionCommand: Sendable, Equatable {
    public var tunnelID: String
    public var connectionID: String
    public var localPort: Int
    /// `http` or `tcp` (the runner pipes bytes either way).
    public var kind: String

    public init(tunnelID: String, connectionID: String, localPort: Int, kind: String = "tcp") {
        self.tunnelID = tunnelID
        self.connectionID = connectionID
        self.localPort = localPort
        self.kind = kind
    }
}
