import Core
import Fabric
import Foundation
import Logging
import Synchronization

/// The control plane's view of connected runners: registration, the control streams, task
/// dispatch and the consequences of runner events (runner-protocol.md §3–§8). Store writes come
/// first; commands go out after they committed.
public actor RunnerHub {
    public struct Settings: Sendable {
        public var heartbeatIntervalSeconds = 30
        public var staleAfterSeconds: Int64 = 90
        /// How long a dropped runner may take to come back before its runs fail and its sessions
        /// suspend (runners.disconnect_grace_seconds).
        public var disconnectGraceSeconds: Int64 = 15
        public var enforcerInterval: Duration = .seconds(2)
        /// Host path prefix of local workspaces, for AttachSession.workspace_path.
        public var localWorkspaceBase: String?
        /// `permissions.default_suspend_after_seconds`: applied when a runner sends 0.
        public var permissionSuspendAfterSeconds = 1800
        /// `pricing.models.*`: the cost of runs whose agent reports tokens but no cost.
        public var pricing = ModelPricing()
        /// How often idle sessions are looked for (orchestration.md §8: every 60 s).
        public var idleCheckInterval: Duration = .seconds(60)
        public init() {}
    }

    let store: Store
    let tokens: RunnerTokenService
    let provider: (any RunnerProvider)?
    let hub: LogHub
    let logger: Logger
    let settings: Settings
    let metrics: any OrchestratorMetrics
    /// BYOK keys of sessions (memory only): handed to the runner in `AgentConfig.api_key`.
    let vault: CredentialVault?
    /// Opens managed agent keys (agent configs) for `AgentConfig.api_key`.
    let agentConfigs: AgentConfigService?

    private var links: [String: any RunnerLink] = [:] {
        didSet { linkTable.withLock { [links] in $0 = links } }
    }
    /// `links`, readable off the actor: a tunnel connection's `OpenTunnelConnection` is queued from
    /// an event loop (``sendNow(_:toRunner:)``), without a task hop per connection.
    private nonisolated let linkTable = Mutex<[String: any RunnerLink]>([:])
    /// Pool of each connected runner, read once at connect: dispatch and attach need it (local
    /// runners get host work paths) and used to read the runner row for it every time.
    private var pools: [String: String] = [:]
    /// Runners whose first heartbeat after (re)connecting has not been reconciled yet.
    private var awaitingFirstHeartbeat: Set<String> = []
    /// Runs sent on a runner's current control stream before its first heartbeat was reconciled.
    /// The runner takes that heartbeat's snapshot when the stream opens, so these runs may be
    /// missing from it (their TaskAccepted/TaskStarted can even arrive first) without being lost.
    private var dispatchedOnLink: [String: Set<String>] = [:]
    /// Dropped runners and when their grace ends.
    private var graceUntil: [String: Timestamp] = [:]
    /// Runners whose process this server saw end while their stream was still up: they cannot
    /// come back, so their stream's end is not given the grace.
    private var processEnded: Set<String> = []
    /// Sessions whose runner is being started, and when the start began.
    private var spawning: [String: Timestamp] = [:]
    /// A started runner that has not connected within this time is given up on.
    static let spawnTimeoutMilliseconds: Int64 = 60_000
    private var spawnBackoff: [String: (attempts: Int, next: Timestamp)] = [:]
    private var enforcer: Task<Void, Never>?
    private var exitWatcher: Task<Void, Never>?
    private var lastIdleCheck: ContinuousClock.Instant?
    /// Tunnel connections and stream viewers keep a session from idling out.
    private var activityProbe: (any SessionActivityProbe)?

    public func setActivityProbe(_ probe: any SessionActivityProbe) { activityProbe = probe }

    public init(
        store: Store, tokens: RunnerTokenService, provider: (any RunnerProvider)?, hub: LogHub, settings: Settings,
        metrics: any OrchestratorMetrics = NoOrchestratorMetrics(), vault: CredentialVault? = nil,
        agentConfigs: AgentConfigService? = nil, logger: Logger
    ) {
        self.metrics = metrics
        self.vault = vault
        self.agentConfigs = agentConfigs
        self.store = store
        self.tokens = tokens
        self.provider = provider
        self.hub = hub
        self.settings = settings
        self.logger = logger
    }

    // MARK: - Lifecycle

    /// Starts the periodic enforcers (timeouts, stale runners, parked sessions).
    public func start() {
        guard enforcer == nil else { return }
        // Runners the previous server process saw get one grace period to come back.
        let interval = settings.enforcerInterval
        enforcer = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.enforce()
            }
        }
        if let exits = provider?.processExits {
            exitWatcher = Task { [weak self] in
                for await exit in exits { await self?.runnerProcessExited(exit) }
            }
        }
    }

    public func stop() {
        enforcer?.cancel()
        enforcer = nil
        exitWatcher?.cancel()
        exitWatcher = nil
        for link in links.values { link.close() }
        links.removeAll()
    }

    public var connectedRunnerIDs: [String] { Array(links.keys) }

    public func isConnected(_ runnerID: String) -> Bool { links[runnerID] != nil }

    /// Runners with an open control stream.
    public var connectedCount: Int { links.count }

    /// Queues a command on the runner's control stream (tunnel connections, closes) from any thread,
    /// in order with the caller's other sends; false when the runner is not connected or its queue
    /// is full.
    public nonisolated func sendNow(_ command: Marionette_Runner_V1_ServerCommand, toRunner runnerID: String) -> Bool {
        linkTable.withLock { $0[runnerID] }?.send(command) ?? false
    }

    // MARK: - Registration and connection

    public func register(token raw: String, _ registration: RunnerRegistration) async throws -> (String, String) {
        let token = try await tokens.authenticate(raw)
        if !registration.poolName.isEmpty && registration.poolName != token.poolName {
            throw FabricAuthError.permissionDenied(
                "pool \"\(registration.poolName)\" does not match the token's pool \"\(token.poolName)\"")
        }
        guard !registration.name.isEmpty else { throw FabricAuthError.permissionDenied("runner name is required") }
        let (id, again) = try await store.registerRunner(token: token, registration)
        logger.info("runner registered", metadata: ["runner_id": "\(id)", "pool": "\(token.poolName)"])
        return (id, again ? "runner re-registered" : "runner registered")
    }

    /// Checks the credentials of a call other than RegisterRunner.
    public func authenticate(runnerID: String, token raw: String) async throws -> RunnerTokenRecord {
        guard !runnerID.isEmpty else { throw FabricAuthError.unauthenticated("x-runner-id is required") }
        let token = try await tokens.authenticate(raw)
        guard token.runnerID == runnerID else {
            throw FabricAuthError.permissionDenied("runner token is bound to another runner")
        }
        guard try await store.runnerRow(runnerID) != nil else { throw FabricAuthError.notFound("runner \(runnerID) not found") }
        return token
    }

    /// A control stream opened. A newer stream replaces an older one (the old one is usually a
    /// half-dead connection the server has not noticed yet).
    public func connected(runnerID: String, link: any RunnerLink) async {
        if let old = links[runnerID], old !== link { old.close() }
        links[runnerID] = link
        graceUntil[runnerID] = nil
        awaitingFirstHeartbeat.insert(runnerID)
        dispatchedOnLink[runnerID] = []
        do {
            try await store.markRunnerConnected(runnerID)
            if let pool = try await store.runnerRow(runnerID)?.string("pool_name") { pools[runnerID] = pool }
            if let session = try await store.activeSession(onRunner: runnerID) {
                // Reconnect or server restart: the session is still on this runner.
                try await attach(session, to: runnerID)
            } else if let claimed = try await store.claimedWaitingSession(runnerID: runnerID) {
                try await activate(sessionID: claimed, on: runnerID)
            } else {
                try await assignWaitingSession(to: runnerID)
            }
        } catch {
            logger.error("runner connect handling failed", metadata: ["runner_id": "\(runnerID)", "error": "\(error)"])
        }
    }

    /// A control stream ended. Consequences wait for the disconnect grace.
    public func disconnected(runnerID: String, link: any RunnerLink) {
        guard links[runnerID] === link else { return }
        links[runnerID] = nil
        pools[runnerID] = nil
        awaitingFirstHeartbeat.remove(runnerID)
        dispatchedOnLink[runnerID] = nil
        let ended = processEnded.remove(runnerID) != nil
        graceUntil[runnerID] = store.clock.now().adding(seconds: ended ? 0 : settings.disconnectGraceSeconds)
        logger.warning("runner disconnected", metadata: ["runner_id": "\(runnerID)", "process_ended": "\(ended)"])
    }

    // MARK: - Runner messages

    public func handle(runnerID: String, message: Marionette_Runner_V1_RunnerMessage) async {
        do {
            switch message.payload {
            case .heartbeat(let beat):
                try await store.touchRunner(runnerID, status: nil)
                if awaitingFirstHeartbeat.remove(runnerID) != nil { try await reconcile(runnerID: runnerID, beat) }
            case .taskAccepted(let accepted):
                try await store.touchRunner(runnerID, status: nil)
                try await store.advanceRun(accepted.runID, to: "assigned")
            case .taskStarted(let started):
                try await store.advanceRun(started.runID, to: "running")
                publish(taskID: started.taskID, status: "running", runID: started.runID, attempt: Int(started.attempt))
            case .taskCompleted(let done):
                try await completed(runnerID: runnerID, done)
            case .sessionAttached(let attached):
                logger.debug("session attached", metadata: ["session_id": "\(attached.sessionID)", "runner_id": "\(runnerID)"])
            case .sessionSuspended(let suspended):
                logger.debug("session detached", metadata: ["session_id": "\(suspended.sessionID)", "runner_id": "\(runnerID)"])
            case .contextUpdate(let update):
                try await store.setContextSnapshot(sessionID: update.sessionID, json: update.contextSnapshot)
            case .streamStatus(let status):
                try await streamStatus(runnerID: runnerID, status)
            case .permissionRequest(let request):
                try await permissionRequested(runnerID: runnerID, request)
            case .permissionResponseAck(let ack):
                try await store.markPermissionDelivered(ack.permissionID)
            case .permissionWithdrawn(let withdrawn):
                let reason = withdrawn.reason.isEmpty ? "withdrawn by the agent" : String(withdrawn.reason.prefix(500))
                let canceled = try await store.withdrawPermission(
                    requestID: withdrawn.requestID, runID: withdrawn.runID, runnerID: runnerID, reason: reason)
                logger.info(
                    "permission request withdrawn by the agent",
                    metadata: [
                        "permission_id": "\(canceled?.id ?? "-")", "run_id": "\(withdrawn.runID)", "reason": "\(reason)",
                    ])
            case .taskProgress, .createTunnelRequest, .closeTunnel, .workspaceSynced, .none:
                break
            }
        } catch {
            logger.error("runner message handling failed", metadata: ["runner_id": "\(runnerID)", "error": "\(error)"])
        }
    }

    /// `StreamStatus` on `Connect` (runner-protocol.md §11): a source that could not start (or
    /// died) fails its stream with the runner's reason. Other states come from the SFU (first
    /// media → active), so they are only logged.
    private func streamStatus(runnerID: String, _ status: Marionette_Runner_V1_StreamStatus) async throws {
        guard let stream = try await store.stream(status.streamID, scope: .system),
            let session = try await store.session(stream.sessionID, scope: .system), session.runnerID == runnerID
        else {
            logger.warning("stream status for a stream this runner does not own", metadata: ["stream_id": "\(status.streamID)"])
            return
        }
        logger.info(
            "stream status", metadata: ["stream_id": "\(stream.id)", "state": "\(status.state)", "error_code": "\(status.errorCode)"])
        guard status.state == "failed", !status.recoverable else { return }
        _ = try await store.transitionStream(
            stream.id, to: .failed,
            extra: [
                ("error_code", .text(status.errorCode.isEmpty ? "source_failed" : status.errorCode)),
                ("error", .text(status.error.isEmpty ? "the runner's capture failed" : status.error)),
            ],
            scope: .system)
    }

    /// First heartbeat after a (re)connect: runs the database thinks are on this runner but the
    /// runner no longer lists fail with "runner lost run".
    private func reconcile(runnerID: String, _ beat: Marionette_Runner_V1_Heartbeat) async throws {
        let listed = Set(beat.runningRuns.map(\.runID))
        let sentOnThisStream = dispatchedOnLink.removeValue(forKey: runnerID) ?? []
        for run in try await store.openRuns(runnerID: runnerID)
        where run.status != "pending" && !listed.contains(run.runID) && !sentOnThisStream.contains(run.runID) {
            logger.warning(
                "runner no longer lists a run; failing it",
                metadata: [
                    "runner_id": "\(runnerID)", "run_id": "\(run.runID)", "run_status": "\(run.status)",
                    "listed": "\(listed.sorted().joined(separator: ","))",
                ])
            try await finish(runID: run.runID, status: "failed", error: "runner lost run", exitCode: nil, lastLog: nil)
        }
    }

    /// A gated tool call (runner-protocol.md §4.1 `permission_request`): stored once; a resend of
    /// one already answered gets its answer again.
    private func permissionRequested(runnerID: String, _ request: Marionette_Runner_V1_PermissionRequest) async throws {
        let risk = PermissionRecord.riskLevels.contains(request.riskLevel) ? request.riskLevel : "medium"
        let new = NewPermission(
            requestID: request.requestID, runID: request.runID, tool: request.tool.isEmpty ? "unknown" : request.tool,
            action: request.action, context: request.context.isEmpty ? nil : request.context, riskLevel: risk,
            suspendAfterSeconds: request.suspendAfterSeconds > 0
                ? Int(request.suspendAfterSeconds) : settings.permissionSuspendAfterSeconds)
        guard !request.requestID.isEmpty, let (record, inserted) = try await store.recordPermission(new, runnerID: runnerID)
        else {
            logger.warning(
                "permission request for a run this runner does not have open",
                metadata: ["runner_id": "\(runnerID)", "run_id": "\(request.runID)"])
            return
        }
        if inserted {
            logger.info(
                "permission requested",
                metadata: [
                    "permission_id": "\(record.id)", "session_id": "\(record.sessionID)", "tool": "\(record.tool)",
                    "risk_level": "\(record.riskLevel)",
                ])
        } else if record.isAnswered, record.deliveredAt == nil, let link = links[runnerID] {
            _ = link.send(Self.approveCommand(record))
        }
    }

    static func approveCommand(_ record: PermissionRecord) -> Marionette_Runner_V1_ServerCommand {
        var approve = Marionette_Runner_V1_ApprovePermission()
        approve.requestID = record.originalRequestID
        approve.permissionID = record.id
        approve.approved = record.approved
        approve.reason = record.responseReason ?? ""
        approve.respondedBy = record.respondedBy ?? ""
        approve.respondedAtUnixMs = record.respondedAt?.milliseconds ?? 0
        approve.tool = record.tool
        approve.action = record.action
        approve.taskID = record.taskID
        var command = Marionette_Runner_V1_ServerCommand()
        command.approvePermission = approve
        return command
    }

    static func pendingResponse(_ record: PermissionRecord) -> Marionette_Runner_V1_PendingPermissionResponse {
        var pending = Marionette_Runner_V1_PendingPermissionResponse()
        pending.requestID = record.originalRequestID
        pending.permissionID = record.id
        pending.approved = record.approved
        pending.reason = record.responseReason ?? ""
        pending.respondedBy = record.respondedBy ?? ""
        pending.respondedAtUnixMs = record.respondedAt?.milliseconds ?? 0
        pending.tool = record.tool
        pending.action = record.action
        pending.taskID = record.taskID
        return pending
    }

    private func completed(runnerID: String, _ done: Marionette_Runner_V1_TaskCompleted) async throws {
        if !done.contextSnapshot.isEmpty, let task = try await store.task(done.taskID, scope: .system) {
            try await store.setContextSnapshot(sessionID: task.sessionID, json: done.contextSnapshot)
        }
        let status: String
        if done.success {
            status = "completed"
        } else if done.error == "task execution timed out" || done.error == "timeout" {
            status = "timeout"
        } else if done.error == "canceled" {
            status = "canceled"
        } else {
            status = "failed"
        }
        if status == "canceled" {
            // The run was already ended by the cancel; only keep its log high-water mark.
            _ = try await store.finishRun(
                done.runID, runStatus: "canceled", error: "canceled", exitCode: Int(done.exitCode), tokensIn: nil,
                tokensOut: nil, cost: nil, lastLogSequence: done.lastLogSequence)
            return
        }
        try await finish(
            runID: done.runID, status: status, error: done.error.isEmpty ? nil : done.error,
            exitCode: Int(done.exitCode), lastLog: done.lastLogSequence,
            tokensIn: done.tokensInput == 0 ? nil : done.tokensInput,
            tokensOut: done.tokensOutput == 0 ? nil : done.tokensOutput,
            cost: done.costUsd == 0 ? await priced(done) : done.costUsd)
    }

    /// A run that reported tokens but no cost (Codex) is priced from `pricing.models` by the model
    /// of the session's agent config; unknown models keep the cost unknown (orchestration.md §4.4).
    private func priced(_ done: Marionette_Runner_V1_TaskCompleted) async -> Double? {
        guard !settings.pricing.models.isEmpty, done.tokensInput > 0 || done.tokensOutput > 0,
            let task = try? await store.task(done.taskID, scope: .system),
            let session = try? await store.session(task.sessionID, scope: .system),
            let configID = session.agentConfigID,
            let model = try? await store.agentConfigSettings(configID)?.model, !model.isEmpty
        else { return nil }
        return settings.pricing.cost(
            model: model, input: done.tokensInput, cachedInput: done.tokensCachedInput, output: done.tokensOutput)
    }

    private func finish(
        runID: String, status: String, error: String?, exitCode: Int?, lastLog: Int64?, tokensIn: Int64? = nil,
        tokensOut: Int64? = nil, cost: Double? = nil
    ) async throws {
        let (outcome, task) = try await store.finishRun(
            runID, runStatus: status, error: error, exitCode: exitCode, tokensIn: tokensIn, tokensOut: tokensOut,
            cost: cost, lastLogSequence: lastLog)
        guard let task else { return }
        switch outcome {
        case .completed, .failed:
            metrics.taskEnded(status: task.status)
            publish(taskID: task.id, status: task.status, runID: runID, attempt: nil, exitCode: exitCode, error: error)
            await dispatch(sessionID: task.sessionID)
        case .retrying(let attempt):
            publish(taskID: task.id, status: "running", runID: nil, attempt: attempt, exitCode: exitCode, error: error)
            let delay = Self.retryDelay(attempt: attempt)
            let session = task.sessionID
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.dispatch(sessionID: session)
            }
        case .ignored:
            break
        }
    }

    /// 2 s doubling to 2 min, ±25 % (runner-protocol.md §6 step 7).
    static func retryDelay(attempt: Int) -> Duration {
        let base = min(120.0, 2.0 * pow(2.0, Double(max(0, attempt - 2))))
        return .milliseconds(Int(base * 1000 * Double.random(in: 0.75...1.25)))
    }

    private func publish(
        taskID: String, status: String, runID: String?, attempt: Int?, exitCode: Int? = nil, error: String? = nil
    ) {
        hub.publish(
            taskID: taskID,
            .status(
                TaskStatusChange(
                    taskID: taskID, status: status, runID: runID, attempt: attempt, timestamp: store.clock.now(),
                    exitCode: exitCode, error: error)))
    }

    // MARK: - Sessions and dispatch

    /// Activates a waiting session on a runner, attaches it and dispatches its backlog.
    private func activate(sessionID: String, on runnerID: String) async throws {
        guard let session = try await store.activateSession(sessionID, runnerID: runnerID) else { return }
        spawning[sessionID] = nil
        spawnBackoff[sessionID] = nil
        logger.info("session active", metadata: ["session_id": "\(sessionID)", "runner_id": "\(runnerID)"])
        try await attach(session, to: runnerID)
    }

    private func attach(_ session: SessionRecord, to runnerID: String) async throws {
        guard let link = links[runnerID] else { return }
        var attach = Marionette_Runner_V1_AttachSession()
        attach.sessionID = session.id
        attach.workspaceID = session.workspaceID
        attach.tenantID = session.tenantID ?? ""
        attach.permissionPolicy = session.permissionPolicy
        if let base = settings.localWorkspaceBase, pools[runnerID] == "local" {
            attach.workspacePath = base + "/" + session.workspaceID
        }
        attach.agentConfig = try await agentConfig(for: session)
        if let snapshot = try await store.contextSnapshot(sessionID: session.id) { attach.contextSnapshot = snapshot }
        // Answers given while the session was suspended (or its runner away); acknowledged by
        // the runner, then never sent again.
        attach.pendingPermissions = try await store.undeliveredPermissionAnswers(sessionID: session.id).map(Self.pendingResponse)
        var command = Marionette_Runner_V1_ServerCommand()
        command.attachSession = attach
        guard link.send(command) else { return }
        await startStreams(sessionID: session.id)
        await dispatch(sessionID: session.id)
    }

    /// The session's agent and its key (auth-security.md §9): a BYOK key from memory, or a managed
    /// agent config's key opened here; the runner puts either only in the agent CLI's environment.
    /// With an agent config also its model, base URL and `extra` (system prompt, tool lists,
    /// custom command…). A managed key that cannot be opened (no or wrong encryption key) is
    /// logged and left out: the CLI then fails to authenticate instead of the dispatch stalling.
    private func agentConfig(for session: SessionRecord) async throws -> Marionette_Runner_V1_AgentConfig {
        var agent = Marionette_Runner_V1_AgentConfig()
        agent.agent = session.agent
        if session.isBYOK, let key = await vault?.take(for: session.id) { agent.apiKey = key }
        if let id = session.agentConfigID, let config = try await store.agentConfigSettings(id) {
            agent.model = config.model ?? ""
            agent.baseURL = config.baseURL ?? ""
            agent.extra = config.extra
            do {
                if let key = try await agentConfigs?.apiKey(configID: id) { agent.apiKey = key }
            } catch {
                logger.error(
                    "managed agent key not opened; the agent runs without it",
                    metadata: ["session_id": "\(session.id)", "agent_config_id": "\(id)", "error": "\(error)"])
            }
        }
        return agent
    }

    /// Sends `StartStream` for the session's runner-sourced streams that wait (`pending`) or whose
    /// capture must resume (`starting`, e.g. after a runner reconnect); they go `starting`.
    func startStreams(sessionID: String) async {
        do {
            guard let session = try await store.session(sessionID, scope: .system), session.status == "active",
                let runnerID = session.runnerID, let link = links[runnerID]
            else { return }
            var filter = StreamFilter()
            filter.states = ["pending", "starting"]
            filter.types = ["testsrc", "desktop", "android"]
            let streams = try await store.streams(sessionID: sessionID, filter, page: PageRequest(limit: 10), scope: .system)
            for stream in streams.items {
                var config = Marionette_Runner_V1_StreamConfig()
                config.width = Int32(stream.width ?? 0)
                config.height = Int32(stream.height ?? 0)
                config.frameRate = Int32(stream.fps ?? 0)
                config.bitrateKbps = Int32(stream.bitrateKbps ?? 0)
                config.videoCodec = stream.videoCodec ?? ""
                config.audioEnabled = stream.audio
                config.inputEnabled = stream.input
                config.display = stream.display ?? ""
                // Desktop streams start Xvfb unless created with `xvfb: false`.
                if case .bool(let xvfb)? = stream.metadata["xvfb"] { config.xvfb = xvfb } else { config.xvfb = stream.type == "desktop" }
                config.deviceSerial = stream.serial ?? ""
                config.maxSize = Int32(stream.maxSize ?? 0)
                var start = Marionette_Runner_V1_StartStream()
                start.streamID = stream.id
                start.sessionID = sessionID
                start.type = stream.type
                start.config = config
                var command = Marionette_Runner_V1_ServerCommand()
                command.startStream = start
                guard link.send(command) else { return }
                if stream.state == "pending" { _ = try await store.transitionStream(stream.id, to: .starting, scope: .system) }
            }
        } catch {
            logger.error("starting streams failed", metadata: ["session_id": "\(sessionID)", "error": "\(error)"])
        }
    }

    /// Sends the session's next work: a pending retry run, else the oldest pending task (one at a
    /// time). `known` is the session row when the caller just read it.
    func dispatch(sessionID: String, known: SessionRecord? = nil) async {
        do {
            var current = known
            if current == nil { current = try await store.session(sessionID, scope: .system) }
            guard let session = current, session.status == "active", let runnerID = session.runnerID
            else { return }
            guard let link = links[runnerID] else { return }
            let run: DispatchedRun?
            if let retry = try await store.pendingRun(sessionID: sessionID, runnerID: runnerID) {
                run = retry
            } else {
                run = try await store.dispatchNext(sessionID: sessionID, runnerID: runnerID)
            }
            guard let run else { return }
            var execute = Marionette_Runner_V1_ExecuteTask()
            execute.taskID = run.task.id
            execute.runID = run.runID
            execute.attempt = Int32(run.attempt)
            execute.sessionID = sessionID
            execute.prompt = run.task.prompt
            if let base = settings.localWorkspaceBase, pools[runnerID] == "local" {
                execute.workDir = base + "/" + session.workspaceID
            }
            var sandbox = Marionette_Runner_V1_SandboxConfig()
            sandbox.timeoutSeconds = Int64(run.task.timeoutSeconds)
            execute.sandbox = sandbox
            execute.agentConfig = try await agentConfig(for: session)
            var command = Marionette_Runner_V1_ServerCommand()
            command.executeTask = execute
            if link.send(command) {
                if awaitingFirstHeartbeat.contains(runnerID) { dispatchedOnLink[runnerID, default: []].insert(run.runID) }
                if run.attempt == 1 {
                    metrics.taskDispatched(afterMilliseconds: store.clock.now().milliseconds - run.task.createdAt.milliseconds)
                }
                publish(taskID: run.task.id, status: "running", runID: run.runID, attempt: run.attempt)
            } else {
                try await store.unwindDispatch(run, error: "failed to send command to runner: queue full or closed")
            }
        } catch {
            logger.error("dispatch failed", metadata: ["session_id": "\(sessionID)", "error": "\(error)"])
        }
    }

    /// A session with work but no runner: an idle connected runner of the same tenant takes it,
    /// else the provider starts one.
    private func acquireRunner(sessionID: String) async {
        guard spawning[sessionID] == nil else { return }
        do {
            guard let session = try await store.session(sessionID, scope: .system),
                session.status == "pending" || session.status == "resuming", session.runnerID == nil
            else { return }
            for runnerID in links.keys {
                guard let row = try await store.runnerRow(runnerID), row.string("status") == "idle",
                    row.string("claim_session_id") == nil, row.string("tenant_id") == session.tenantID,
                    row.string("pool_name") != "local",
                    try await store.activeSession(onRunner: runnerID) == nil
                else { continue }
                try await activate(sessionID: sessionID, on: runnerID)
                return
            }
            guard let provider else {
                try await store.parkTasks(sessionID: sessionID, reason: "waiting for a runner to connect")
                return
            }
            if let backoff = spawnBackoff[sessionID], backoff.next > store.clock.now() { return }
            spawning[sessionID] = store.clock.now()
            do {
                _ = try await provider.spawn(for: session)
            } catch {
                try await spawnFailed(sessionID: sessionID, reason: "\(error)")
            }
        } catch {
            logger.error("runner acquisition failed", metadata: ["session_id": "\(sessionID)", "error": "\(error)"])
        }
    }

    /// A runner start that failed: the next try waits (2, 4, … 60 s) and the session's tasks say why.
    private func spawnFailed(sessionID: String, reason: String) async throws {
        spawning[sessionID] = nil
        let attempts = (spawnBackoff[sessionID]?.attempts ?? 0) + 1
        spawnBackoff[sessionID] = (attempts, store.clock.now().adding(seconds: Int64(min(60, 1 << min(attempts, 6)))))
        try await store.parkTasks(sessionID: sessionID, reason: reason)
        logger.error("runner spawn failed", metadata: ["session_id": "\(sessionID)", "error": "\(reason)"])
    }

    /// A runner process ended. One that never connected failed its start: say so now instead of
    /// after the spawn timeout. One that had connected cannot reconnect, so the disconnect grace
    /// (for a cut connection to a runner still at work) does not apply: its runs fail and its
    /// session suspends now, or once its stream's end is noticed.
    func runnerProcessExited(_ exit: RunnerProcessExit) async {
        let runnerID = exit.runnerID
        if links[runnerID] != nil {
            processEnded.insert(runnerID)
            return
        }
        if graceUntil.removeValue(forKey: runnerID) != nil {
            logger.warning("runner process ended", metadata: ["runner_id": "\(runnerID)", "status": "\(exit.status)"])
            do {
                try await runnerGone(runnerID)
            } catch {
                logger.error("disconnect handling failed", metadata: ["runner_id": "\(runnerID)", "error": "\(error)"])
            }
            return
        }
        guard spawning[exit.sessionID] != nil else { return }
        do {
            try await spawnFailed(
                sessionID: exit.sessionID,
                reason: "the runner process exited (\(exit.status)) before it connected; its output is in \(exit.logPath)")
        } catch {
            logger.error("recording a failed runner start failed", metadata: ["session_id": "\(exit.sessionID)", "error": "\(error)"])
        }
    }

    /// An idle runner without a claim picks up a session that waits for one.
    private func assignWaitingSession(to runnerID: String) async throws {
        guard let row = try await store.runnerRow(runnerID), row.string("pool_name") != "local" else { return }
        for sessionID in try await store.pendingSessionsWithoutRunner() where spawning[sessionID] == nil {
            guard let session = try await store.session(sessionID, scope: .system),
                session.tenantID == row.string("tenant_id")
            else { continue }
            try await activate(sessionID: sessionID, on: runnerID)
            return
        }
    }

    // MARK: - Enforcers

    private func enforce() async {
        do {
            let now = store.clock.now()
            for run in try await store.overdueRuns() {
                if let runnerID = run.runnerID, let link = links[runnerID] {
                    var kill = Marionette_Runner_V1_KillTask()
                    kill.taskID = run.taskID
                    kill.runID = run.runID
                    kill.reason = "timeout"
                    var command = Marionette_Runner_V1_ServerCommand()
                    command.killTask = kill
                    _ = link.send(command)
                }
                try await finish(runID: run.runID, status: "timeout", error: "task execution timed out", exitCode: nil, lastLog: nil)
            }
            for (sessionID, started) in spawning where now.milliseconds - started.milliseconds > Self.spawnTimeoutMilliseconds {
                // The runner never connected: let the next pass start another one.
                spawning[sessionID] = nil
                logger.warning("runner did not connect in time", metadata: ["session_id": "\(sessionID)"])
            }
            for (runnerID, deadline) in graceUntil where deadline <= now {
                graceUntil[runnerID] = nil
                guard links[runnerID] == nil else { continue }
                try await runnerGone(runnerID)
            }
            for runnerID in try await store.staleRunners(olderThan: settings.staleAfterSeconds)
            where graceUntil[runnerID] == nil {
                if let link = links.removeValue(forKey: runnerID) { link.close() }
                processEnded.remove(runnerID)
                try await runnerGone(runnerID)
            }
            for sessionID in try await store.pendingSessionsWithoutRunner() {
                await acquireRunner(sessionID: sessionID)
            }
            for sessionID in try await store.sessionsWithOverduePermissions() {
                await suspendForPermission(sessionID)
            }
            if lastIdleCheck.map({ $0.duration(to: .now) >= settings.idleCheckInterval }) ?? true {
                lastIdleCheck = .now
                try await suspendIdleSessions()
            }
        } catch {
            logger.error("enforcer pass failed", metadata: ["error": "\(error)"])
        }
    }

    /// A permission request waited longer than its `suspend_after_seconds`: the session suspends
    /// (reason `permission_timeout`); the request stays pending and its answer resumes the session.
    /// The state change re-checks `active` in its transaction (the grace check).
    private func suspendForPermission(_ sessionID: String) async {
        do {
            _ = try await store.transitionSession(
                sessionID, from: ["active"], to: "suspended",
                extra: [
                    ("suspend_reason", .text("permission_timeout")), ("suspended_at", .timestamp(store.clock.now())),
                    ("suspend_strategy", .text("terminate_preserve_storage")),
                ],
                scope: .system, expectedText: "active")
        } catch {
            return  // no longer active: someone else acted first
        }
        logger.info("session suspended: permission request unanswered", metadata: ["session_id": "\(sessionID)"])
        await release(sessionID: sessionID, reason: "permission_timeout", requeue: true)
    }

    /// Idle suspend (orchestration.md §8): `on_demand` sessions without work, questions, tunnel
    /// connections or viewers for longer than their `idle_timeout_seconds`; `always_on` and
    /// `scheduled` sessions never idle out here. The store's update re-checks that nothing
    /// happened since the session was found idle.
    func suspendIdleSessions() async throws {
        for idle in try await store.idleSessions() {
            if let probe = activityProbe, await probe.hasLiveActivity(sessionID: idle.id) {
                try await store.touchSession(idle.id)
                continue
            }
            guard try await store.suspendIfIdle(idle.id, lastActivity: idle.lastActivityAt) != nil else { continue }
            logger.info("session suspended: idle", metadata: ["session_id": "\(idle.id)"])
            await release(sessionID: idle.id, reason: "idle_timeout", requeue: false)
        }
    }

    /// Disconnect consequences (runner-protocol.md §5).
    private func runnerGone(_ runnerID: String) async throws {
        let (runs, sessions) = try await store.runnerDisconnected(runnerID)
        for run in runs {
            try await finish(runID: run, status: "failed", error: "runner disconnected", exitCode: nil, lastLog: nil)
        }
        for session in sessions {
            _ = try await store.requeueOpenRuns(sessionID: session, reason: "runner disconnected")
        }
        if let provider { await provider.destroy(runnerID: runnerID) }
        logger.warning(
            "runner offline", metadata: ["runner_id": "\(runnerID)", "failed_runs": "\(runs.count)", "suspended_sessions": "\(sessions.count)"])
    }
}

// MARK: - Hooks from the services

extension RunnerHub: OrchestrationHooks {
    public func taskCreated(sessionID: String) async {
        guard let session = try? await store.session(sessionID, scope: .system) else { return }
        if session.status == "active" {
            await dispatch(sessionID: sessionID, known: session)
        } else if session.runnerID == nil && (session.status == "pending" || session.status == "resuming") {
            await acquireRunner(sessionID: sessionID)
        } else if session.status == "suspended" {
            // Creating a task on a suspended session resumes it (data-model.md §4.1).
            if (try? await store.transitionSession(
                sessionID, from: ["suspended"], to: "resuming", extra: [("resumed_at", .timestamp(store.clock.now()))],
                scope: .system, expectedText: "suspended")) != nil
            {
                await acquireRunner(sessionID: sessionID)
            }
        }
    }

    public func taskCanceled(taskID: String, runnerIDs: [String]) async {
        metrics.taskEnded(status: "canceled")
        for runnerID in Set(runnerIDs) {
            guard let link = links[runnerID] else { continue }
            var kill = Marionette_Runner_V1_KillTask()
            kill.taskID = taskID
            kill.reason = "canceled"
            var command = Marionette_Runner_V1_ServerCommand()
            command.killTask = kill
            _ = link.send(command)
        }
        publish(taskID: taskID, status: "canceled", runID: nil, attempt: nil)
        if let task = try? await store.task(taskID, scope: .system) { await dispatch(sessionID: task.sessionID) }
    }

    public func taskRetried(sessionID: String) async {
        await dispatch(sessionID: sessionID)
    }

    public func sessionSuspended(sessionID: String, reason: String) async {
        await release(sessionID: sessionID, reason: reason, requeue: true)
    }

    public func sessionResumed(sessionID: String) async {
        await acquireRunner(sessionID: sessionID)
    }

    public func streamCreated(streamID: String, sessionID: String) async {
        await startStreams(sessionID: sessionID)
    }

    public func streamStopped(streamID: String, sessionID: String) async {
        guard let session = try? await store.session(sessionID, scope: .system), let runnerID = session.runnerID,
            let link = links[runnerID]
        else { return }
        var stop = Marionette_Runner_V1_StopStream()
        stop.streamID = streamID
        stop.reason = "stopped"
        var command = Marionette_Runner_V1_ServerCommand()
        command.stopStream = stop
        _ = link.send(command)
    }

    /// Delivered at once to a connected runner; a suspended session resumes and gets it on attach.
    public func permissionAnswered(_ permission: PermissionRecord) async {
        guard let session = try? await store.session(permission.sessionID, scope: .system) else { return }
        switch session.status {
        case "active":
            if let runnerID = session.runnerID, let link = links[runnerID] { _ = link.send(Self.approveCommand(permission)) }
        case "suspended":
            if (try? await store.transitionSession(
                session.id, from: ["suspended"], to: "resuming", extra: [("resumed_at", .timestamp(store.clock.now()))],
                scope: .system, expectedText: "suspended")) != nil
            {
                logger.info("session resuming: a permission request was answered", metadata: ["session_id": "\(session.id)"])
                await acquireRunner(sessionID: session.id)
            }
        default:
            break  // pending/resuming: replayed when a runner attaches
        }
    }

    public func runnerDestroyRequested(runnerID: String) async {
        // The process first, so it cannot reconnect in between; LocalProvider only acts on its own
        // runners and revokes their tokens.
        if let provider { await provider.destroy(runnerID: runnerID) }
        if let link = links.removeValue(forKey: runnerID) { link.close() }
        pools[runnerID] = nil
        awaitingFirstHeartbeat.remove(runnerID)
        dispatchedOnLink[runnerID] = nil
        graceUntil[runnerID] = nil
        processEnded.remove(runnerID)
        logger.info("runner destroyed by an operator", metadata: ["runner_id": "\(runnerID)"])
    }

    public func sessionTerminated(sessionID: String) async {
        await release(sessionID: sessionID, reason: "terminated", requeue: false)
        spawning[sessionID] = nil
        spawnBackoff[sessionID] = nil
    }

    /// Detaches the session from its runner and ends a provider-managed runner.
    private func release(sessionID: String, reason: String, requeue: Bool) async {
        do {
            if requeue { _ = try await store.requeueOpenRuns(sessionID: sessionID, reason: "session suspended") }
            guard let runnerID = try await store.releaseRunner(of: sessionID) else { return }
            if let link = links[runnerID] {
                var detach = Marionette_Runner_V1_DetachSession()
                detach.sessionID = sessionID
                detach.saveContext = true
                var suspend = Marionette_Runner_V1_SuspendConfig()
                suspend.strategy = "terminate_preserve_storage"
                suspend.reason = reason
                detach.suspend = suspend
                var command = Marionette_Runner_V1_ServerCommand()
                command.detachSession = detach
                _ = link.send(command)
            }
            if let row = try await store.runnerRow(runnerID), row.string("pool_name") == "local", let provider {
                // Give the agent a moment to kill the session's process groups itself.
                try? await Task.sleep(for: .milliseconds(300))
                if let link = links.removeValue(forKey: runnerID) { link.close() }
                await provider.destroy(runnerID: runnerID)
                try await store.setRunnerStatus(runnerID, "offline", clearClaim: true)
            } else {
                try await store.setRunnerStatus(runnerID, "idle", clearClaim: true)
            }
        } catch {
            logger.error("session release failed", metadata: ["session_id": "\(sessionID)", "error": "\(error)"])
        }
    }
}
