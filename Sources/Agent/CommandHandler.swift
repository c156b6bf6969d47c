#if canImport(Glibc)
import Glibc
#endif
import Core
import Logging

/// Handles the server's commands in arrival order (runner-protocol.md §4.4) and owns the runs
/// they start: sessions, the run ledger, executors, kills, timeouts and detaches. Independent of
/// the connection: runs keep going across reconnects and their results wait in the outbox.
public actor CommandHandler {
    public struct Configuration: Sendable {
        public var workspaceBase: String
        /// Environment the task environment starts from (agent secrets are removed).
        public var baseEnvironment: [String: String]
        /// SIGTERM → SIGKILL grace for kills, timeouts and detaches.
        public var killGrace: Duration
        /// How long an interrupted agent CLI may take to end its turn before the signals.
        public var interruptGrace: Duration = .seconds(2)
        /// How long `TaskCompleted` waits for the log upload to learn the server's numbering.
        public var sequenceWait: Duration
        /// How long a gated tool call waits for the operator (`executors.claude.permission_wait`).
        public var permissionWait: Duration

        public init(
            workspaceBase: String, baseEnvironment: [String: String] = [:], killGrace: Duration = .seconds(5),
            sequenceWait: Duration = .seconds(5), permissionWait: Duration = .seconds(30 * 60)
        ) {
            self.permissionWait = permissionWait
            self.workspaceBase = workspaceBase
            self.baseEnvironment = baseEnvironment
            self.killGrace = killGrace
            self.sequenceWait = sequenceWait
        }
    }

    /// The agent's state for heartbeats.
    public struct Status: Sendable, Equatable {
        public var busy: Bool
        public var activeSessionID: String
        public var runningRuns: [RunKey]
        public var processGroups: Set<Int32>
    }

    private struct ActiveRun {
        var key: RunKey
        var sessionID: String
        var groups: [Int32] = []
        /// Set by `KillTask`, the timeout or a detach: the `TaskCompleted.error` of the run.
        var killReason: String?
        /// Killed by `DetachSession`: ends without a result (forgotten, no `TaskCompleted`).
        var detached = false
        var task: Task<Void, Never>?
        /// Set once the executor started it (for the protocol-level interrupt of `KillTask`).
        var running: (any RunningTask)?
    }

    private let configuration: Configuration
    private let logs: LogBuffer
    private let events: any AgentEventSink
    private let executors: [String: any TaskExecutor]
    private let logger: Logger
    private let clock: any WallClock
    private let onRunOpened: @Sendable (String) -> Void
    private let permissions: PermissionBroker

    private var sessions = SessionTable()
    private var runs = RunLedger<TaskCompletion>()
    private var active: [String: ActiveRun] = [:]
    /// Every process group the session's tasks started, including finished tasks whose
    /// background processes may still run; killed on detach.
    private var sessionGroups: [String: Set<Int32>] = [:]
    /// Groups whose leader was waited for (orphans in them may be reaped).
    private var finishedGroups: Set<Int32> = []

    public init(
        configuration: Configuration, logs: LogBuffer, events: any AgentEventSink, executors: [any TaskExecutor],
        logger: Logger, clock: any WallClock = SystemWallClock(), onRunOpened: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logs = logs
        self.events = events
        var byName: [String: any TaskExecutor] = [:]
        for executor in executors { byName[executor.name] = executor }
        self.executors = byName
        self.logger = logger
        self.clock = clock
        self.onRunOpened = onRunOpened
        permissions = PermissionBroker(events: events, wait: configuration.permissionWait)
    }

    public var agentNames: Set<String> { Set(executors.keys) }

    /// Where stream commands go (set by the runtime; nil in handler-only tests).
    private var media: MediaStreams?
    public func attachMedia(_ media: MediaStreams) { self.media = media }

    /// Where tunnel connection requests go (set by the runtime; nil in handler-only tests).
    private var tunnels: TunnelDialer?
    public func attachTunnels(_ tunnels: TunnelDialer) { self.tunnels = tunnels }

    // MARK: Commands

    /// Handles one command. Returns once the command's immediate reply is queued (for
    /// `ExecuteTask`: after `TaskAccepted`), so the next command cannot overtake it.
    public func handle(_ command: AgentCommand) async {
        switch command {
        case .attachSession(let attach): await attachSession(attach)
        case .executeTask(let execute): await executeTask(execute)
        case .killTask(let kill): killTask(kill)
        case .detachSession(let detach): await detachSession(detach)
        case .approvePermission(let approve): await approvePermission(approve)
        case .drain(let reason, _): logger.info("server asked to drain", metadata: ["reason": "\(reason)"])
        case .startStream(let start): await media?.start(start)
        case .stopStream(let streamID, _): await media?.stop(streamID: streamID)
        case .openTunnelConnection(let open):
            if let tunnels { tunnels.open(open) } else { logger.warning("tunnel connection requested but tunnels are not set up") }
        case .closeTunnel(let tunnelID, let reason):
            logger.info("tunnel closed by the server", metadata: ["tunnel_id": "\(tunnelID)", "reason": "\(reason)"])
        case .unsupported(let name): logger.warning("command not supported by this agent", metadata: ["command": "\(name)"])
        }
    }

    public func status() -> Status {
        var groups = Set<Int32>()
        for set in sessionGroups.values { groups.formUnion(set) }
        for run in active.values { groups.formUnion(run.groups) }
        return Status(
            busy: !active.isEmpty, activeSessionID: sessions.activeSessionID ?? "", runningRuns: runs.running,
            processGroups: groups)
    }

    /// Reaps exited orphans of finished task groups (matters when the agent is PID 1).
    public func reapFinishedGroups() {
        ProcessGroups.reap(Array(finishedGroups))
        finishedGroups = finishedGroups.filter { ProcessGroups.isAlive($0) }
    }

    /// Agent shutdown: kill every task process group (SIGTERM, grace, SIGKILL) and wait for the
    /// runs to record their output.
    public func shutdown(grace: Duration) async {
        var groups = Set<Int32>()
        for set in sessionGroups.values { groups.formUnion(set) }
        for (runID, run) in active {
            groups.formUnion(run.groups)
            if active[runID]?.killReason == nil { active[runID]?.killReason = "runner shutting down" }
        }
        await ProcessGroups.terminate(Array(groups), grace: grace)
        for run in active.values { await run.task?.value }
    }

    // MARK: AttachSession

    private func attachSession(_ command: AttachSessionCommand) async {
        let previousKey = sessions[command.sessionID]?.agentSettings?.credential
        let session = sessions.attach(command, base: configuration.workspaceBase)
        // A re-attach brings the key again: the old copy goes once no run of the session redacts with it.
        if let previousKey, previousKey !== session.agentSettings?.credential,
            !active.values.contains(where: { $0.sessionID == session.sessionID })
        {
            previousKey.wipe()
        }
        if let error = WorkspaceDirectory.ensure(session.workspacePath) {
            logger.error("workspace not available", metadata: ["session_id": "\(session.sessionID)", "error": "\(error)"])
        } else {
            WorkspaceDirectory.excludeStateFromGit(session.workspacePath)
        }
        logger.info(
            "session attached", metadata: ["session_id": "\(session.sessionID)", "workspace": "\(session.workspacePath)"])
        await events.send(
            .sessionAttached(sessionID: session.sessionID, restored: !command.contextSnapshot.isEmpty, workspaceRestored: false))
        for answer in command.pendingPermissions {
            // A task of this agent process may still wait for it (the control stream was replaced).
            await permissions.resolve(answer.requestID, Self.decision(answer))
            await events.send(.permissionResponseAck(requestID: answer.requestID, permissionID: answer.permissionID))
        }
    }

    // MARK: ExecuteTask

    private func executeTask(_ command: ExecuteTaskCommand) async {
        let metadata: Logger.Metadata = ["task_id": "\(command.taskID)", "run_id": "\(command.runID)"]
        switch CommandRules.decide(command, sessions: sessions, runs: runs, availableAgents: agentNames) {
        case .ignoreInFlight:
            logger.info("duplicate ExecuteTask for a running run ignored", metadata: metadata)
        case .resend(let completion):
            logger.info("duplicate ExecuteTask for a completed run: result sent again", metadata: metadata)
            await events.send(.taskCompleted(completion))
        case .reject(let completion):
            logger.warning("ExecuteTask refused", metadata: metadata.merging(["error": "\(completion.error)"]) { $1 })
            await events.send(.taskCompleted(completion))
        case .start(let session, let agent, let directory):
            runs.begin(command.key, sessionID: session.sessionID)
            active[command.runID] = ActiveRun(key: command.key, sessionID: session.sessionID)
            await events.send(.taskAccepted(command.key))
            logger.info("task accepted", metadata: metadata.merging(["agent": "\(agent)"]) { $1 })
            let task = Task { await self.run(command, session: session, agent: agent, directory: directory) }
            active[command.runID]?.task = task
        }
    }

    private func run(_ command: ExecuteTaskCommand, session: AttachedSession, agent: String, directory: String) async {
        let runID = command.runID
        await logs.open(
            RunLogContext(
                sessionID: session.sessionID, taskID: command.taskID, runID: runID, tenantID: session.tenantID,
                workspacePath: session.workspacePath))
        onRunOpened(runID)
        let agentSettings = command.agentSettings ?? session.agentSettings
        let output = RunOutput(
            runID: runID, buffer: logs, clock: clock, redactor: SecretRedactor(secrets: agentSettings?.credential.map { [$0] } ?? []))
        // A key the task brought itself (not the session's) is this run's alone: zeroed when it ends.
        defer {
            if let own = command.agentSettings?.credential, own !== session.agentSettings?.credential { own.wipe() }
        }

        if active[runID]?.killReason != nil {
            await finish(runID, result: ExecutorResult(success: false, exitCode: -1), output: output)
            return
        }
        if let error = WorkspaceDirectory.ensure(directory) {
            output.emit(stream: "system", level: "error", content: error)
            await finish(runID, result: ExecutorResult(success: false, exitCode: -1, error: error), output: output)
            return
        }
        guard let executor = executors[agent] else {
            let error = "agent \"\(agent)\" is not available on this runner"
            await finish(runID, result: ExecutorResult(success: false, exitCode: -1, error: error), output: output)
            return
        }
        let task = ExecutorTask(
            key: command.key, sessionID: session.sessionID, prompt: command.prompt, workingDirectory: directory,
            environment: TaskEnvironment.build(
                base: configuration.baseEnvironment, task: command.environment, key: command.key,
                sessionID: session.sessionID, workspace: session.workspacePath),
            agentSettings: agentSettings,
            contextSnapshot: sessions[session.sessionID]?.contextSnapshot ?? session.contextSnapshot,
            permissionPolicy: session.permissionPolicy,
            callbacks: RunCallbacks(handler: self, sessionID: session.sessionID, taskID: command.taskID))
        let running: any RunningTask
        do {
            running = try executor.start(task, output: output)
        } catch {
            let text = "failed to start task: \(error)"
            output.emit(stream: "system", level: "error", content: text)
            await finish(runID, result: ExecutorResult(success: false, exitCode: -1, error: text), output: output)
            return
        }
        let groups = running.processGroups
        active[runID]?.groups = groups
        active[runID]?.running = running
        sessionGroups[session.sessionID, default: []].formUnion(groups)
        if active[runID]?.killReason != nil {
            // Killed (or detached) while starting.
            let grace = configuration.killGrace
            Task.detached { await ProcessGroups.terminate(groups, grace: grace) }
        }
        await events.send(.taskStarted(command.key))

        let timeout = CommandRules.timeout(seconds: command.timeoutSeconds)
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if Task.isCancelled { return }
            await self?.timedOut(runID)
        }
        let result = await running.result()
        timer.cancel()
        finishedGroups.formUnion(groups)
        await finish(runID, result: result, output: output)
    }

    private func finish(_ runID: String, result: ExecutorResult, output: RunOutput) async {
        await permissions.cancel(runID: runID, reason: "the task ended before an answer arrived")
        await output.close()
        await logs.end(runID)
        guard let run = active.removeValue(forKey: runID) else { return }
        sessions.updateContext(run.sessionID, snapshot: result.contextSnapshot)
        let metadata: Logger.Metadata = ["task_id": "\(run.key.taskID)", "run_id": "\(runID)"]
        if run.detached {
            runs.forget(runID)
            logger.info("run ended by session detach (no result)", metadata: metadata)
            return
        }
        let last = await logs.lastWireSequence(of: runID, wait: configuration.sequenceWait)
        var completion = TaskCompletion(
            key: run.key, success: result.success, error: result.error, exitCode: result.exitCode,
            lastLogSequence: last, tokensInput: result.tokensInput, tokensOutput: result.tokensOutput,
            costUSD: result.costUSD, contextSnapshot: result.contextSnapshot)
        completion.tokensCachedInput = result.tokensCachedInput
        if let reason = run.killReason {
            completion.success = false
            completion.error = reason
        }
        runs.complete(runID, with: completion)
        logger.info(
            "task completed",
            metadata: metadata.merging([
                "success": "\(completion.success)", "exit_code": "\(completion.exitCode)",
                "error": "\(completion.error)", "last_log_sequence": "\(last)",
            ]) { $1 })
        await events.send(.taskCompleted(completion))
    }

    // MARK: KillTask and timeouts

    private func killTask(_ command: KillTaskCommand) {
        guard active[command.runID] != nil else {
            logger.info("KillTask for a run that is not running", metadata: ["run_id": "\(command.runID)"])
            return
        }
        kill(command.runID, error: CommandRules.killError(reason: command.reason))
    }

    private func timedOut(_ runID: String) {
        guard active[runID] != nil else { return }
        logger.warning("task timed out", metadata: ["run_id": "\(runID)"])
        kill(runID, error: CommandRules.timeoutError)
    }

    private func kill(_ runID: String, error: String) {
        guard var run = active[runID] else { return }
        let first = run.killReason == nil
        if first { run.killReason = error }
        active[runID] = run
        let groups = run.groups
        let grace = configuration.killGrace
        guard !groups.isEmpty else { return }  // still starting: killed right after spawn
        // An agent CLI is asked to stop its turn first (orchestration.md §4.3); the signals follow
        // after `interruptGrace` whether or not it listened.
        let interrupted = first && (run.running?.interrupt() ?? false)
        let wait = interrupted ? configuration.interruptGrace : .zero
        Task.detached {
            if wait > .zero { try? await Task.sleep(for: wait) }
            await ProcessGroups.terminate(groups, grace: grace)
        }
    }

    // MARK: DetachSession

    private func detachSession(_ command: DetachSessionCommand) async {
        let detached = sessions.detach(command.sessionID)
        let known = detached != nil
        var groups = sessionGroups.removeValue(forKey: command.sessionID) ?? []
        var tasks: [Task<Void, Never>] = []
        for (runID, run) in active where run.sessionID == command.sessionID {
            active[runID]?.detached = true
            if active[runID]?.killReason == nil { active[runID]?.killReason = "session detached" }
            groups.formUnion(run.groups)
            if let task = run.task { tasks.append(task) }
        }
        await ProcessGroups.terminate(Array(groups), grace: configuration.killGrace)
        for task in tasks { await task.value }
        // Its runs have ended (their output is closed, nothing redacts with the key any more): the
        // runner's copy of the session's agent key is zeroed (auth-security.md §9).
        detached?.agentSettings?.credential?.wipe()
        finishedGroups.subtract(groups)
        logger.info(
            "session detached",
            metadata: [
                "session_id": "\(command.sessionID)", "reason": "\(command.reason)", "known": "\(known)",
                "killed_groups": "\(groups.count)",
            ])
        await events.send(
            .sessionSuspended(
                SessionSuspension(
                    sessionID: command.sessionID, strategy: command.strategy, success: true,
                    suspendedAtMs: clock.now().milliseconds)))
    }

    // MARK: ApprovePermission

    private func approvePermission(_ command: ApprovePermissionCommand) async {
        let sessionID =
            active.values.first { $0.key.taskID == command.answer.taskID }?.sessionID ?? sessions.activeSessionID ?? ""
        sessions.record(command.answer, sessionID: sessionID)
        let waited = await permissions.resolve(command.answer.requestID, Self.decision(command.answer))
        logger.info(
            "permission answer received",
            metadata: [
                "permission_id": "\(command.answer.permissionID)", "approved": "\(command.answer.approved)",
                "task_waiting": "\(waited)",
            ])
        await events.send(
            .permissionResponseAck(requestID: command.answer.requestID, permissionID: command.answer.permissionID))
    }

    // MARK: Executor callbacks

    static func decision(_ answer: PendingPermissionAnswer) -> PermissionDecision {
        let who = answer.approved ? "approved by operator" : "denied by operator"
        return PermissionDecision(approved: answer.approved, reason: answer.reason.isEmpty ? who : who + ": " + answer.reason)
    }

    /// A gated call of a running task: an answer given while the session was suspended (delivered
    /// on attach) is used at once; otherwise the operator is asked through the server.
    func permission(_ question: PermissionQuestion) async -> PermissionDecision {
        if let approved = sessions.cachedAnswer(sessionID: question.sessionID, taskID: question.key.taskID, action: question.action) {
            return PermissionDecision(
                approved: approved, reason: approved ? "approved earlier by operator" : "denied earlier by operator")
        }
        return await permissions.ask(question)
    }

    /// A question the agent withdrew: its wait ends in a denial, and the server (which has it
    /// pending) is told to cancel it. One not asked yet is denied when it is, without being sent.
    func withdraw(_ question: PermissionQuestion, reason: String) async {
        guard await permissions.withdraw(question.requestID, PermissionDecision(approved: false, reason: reason)) else { return }
        await events.send(.permissionWithdrawn(question, reason: reason))
    }

    func contextUpdated(sessionID: String, taskID: String, snapshot: [UInt8]) async {
        sessions.updateContext(sessionID, snapshot: snapshot)
        await events.send(.contextUpdate(sessionID: sessionID, taskID: taskID, snapshot: snapshot))
    }
}

/// The callbacks of one run, bound to its session and task.
struct RunCallbacks: ExecutorCallbacks {
    let handler: CommandHandler
    let sessionID: String
    let taskID: String

    func permission(_ question: PermissionQuestion) async -> PermissionDecision {
        await handler.permission(question)
    }

    func contextUpdated(_ snapshot: [UInt8]) async {
        await handler.contextUpdated(sessionID: sessionID, taskID: taskID, snapshot: snapshot)
    }

    func withdraw(_ question: PermissionQuestion, reason: String) async {
        await handler.withdraw(question, reason: reason)
    }
}
