import Fabric
import Foundation

/// Conversions between the generated `marionette.runner.v1` messages and the agent's own command
/// and event values (runner-protocol.md §4.1, §4.2, §9).
public enum FabricMapping {
    // MARK: ServerCommand → AgentCommand

    public static func command(_ message: Marionette_Runner_V1_ServerCommand) -> AgentCommand {
        switch message.payload {
        case .executeTask(let execute):
            return .executeTask(
                ExecuteTaskCommand(
                    taskID: execute.taskID, runID: execute.runID, attempt: execute.attempt, sessionID: execute.sessionID,
                    prompt: execute.prompt, workDir: execute.workDir, environment: execute.env,
                    timeoutSeconds: execute.hasSandbox ? execute.sandbox.timeoutSeconds : 0,
                    agentSettings: execute.hasAgentConfig ? settings(execute.agentConfig) : nil))
        case .attachSession(let attach):
            return .attachSession(
                AttachSessionCommand(
                    sessionID: attach.sessionID, workspacePath: attach.workspacePath, workspaceID: attach.workspaceID,
                    tenantID: attach.tenantID, contextSnapshot: [UInt8](attach.contextSnapshot),
                    agentSettings: attach.hasAgentConfig ? settings(attach.agentConfig) : nil,
                    pendingPermissions: attach.pendingPermissions.map {
                        PendingPermissionAnswer(
                            requestID: $0.requestID, permissionID: $0.permissionID, approved: $0.approved,
                            reason: $0.reason, taskID: $0.taskID, tool: $0.tool, action: $0.action)
                    },
                    permissionPolicy: attach.permissionPolicy))
        case .killTask(let kill):
            return .killTask(KillTaskCommand(taskID: kill.taskID, runID: kill.runID, reason: kill.reason))
        case .detachSession(let detach):
            return .detachSession(
                DetachSessionCommand(
                    sessionID: detach.sessionID, strategy: detach.suspend.strategy,
                    syncWorkspace: detach.suspend.syncWorkspace, reason: detach.suspend.reason))
        case .approvePermission(let approve):
            return .approvePermission(
                ApprovePermissionCommand(
                    answer: PendingPermissionAnswer(
                        requestID: approve.requestID, permissionID: approve.permissionID, approved: approve.approved,
                        reason: approve.reason, taskID: approve.taskID, tool: approve.tool, action: approve.action),
                    fromCache: approve.fromCache))
        case .drain(let drain):
            return .drain(reason: drain.reason, reconnectAfterMs: drain.reconnectAfterMs)
        case .createTunnelResponse: return .unsupported("create_tunnel_response")
        case .openTunnelConnection(let open):
            return .openTunnelConnection(
                OpenTunnelConnectionCommand(
                    tunnelID: open.tunnelID, connectionID: open.connectionID, localPort: Int(open.localPort),
                    kind: open.`protocol`))
        case .closeTunnel(let close): return .closeTunnel(tunnelID: close.tunnelID, reason: close.reason)
        case .startStream(let start): return .startStream(start)
        case .stopStream(let stop): return .stopStream(streamID: stop.streamID, reason: stop.reason)
        case nil: return .unsupported("empty command")
        }
    }

    static func settings(_ config: Marionette_Runner_V1_AgentConfig) -> AgentSettings {
        AgentSettings(
            agent: config.agent, model: config.model, apiKey: config.apiKey, baseURL: config.baseURL, extra: config.extra)
    }

    // MARK: AgentEvent → RunnerMessage

    public static func message(_ event: AgentEvent, runnerID: String) -> Marionette_Runner_V1_RunnerMessage {
        var message = Marionette_Runner_V1_RunnerMessage()
        switch event {
        case .heartbeat(let snapshot):
            var heartbeat = Marionette_Runner_V1_Heartbeat()
            heartbeat.runnerID = snapshot.runnerID.isEmpty ? runnerID : snapshot.runnerID
            heartbeat.status = snapshot.status
            heartbeat.uptimeSeconds = snapshot.uptimeSeconds
            var resources = Marionette_Runner_V1_ResourceUsage()
            resources.cpuPercent = snapshot.cpuPercent
            resources.memoryBytes = snapshot.memoryBytes
            resources.diskBytes = snapshot.diskBytes
            heartbeat.resources = resources
            heartbeat.activeSessionID = snapshot.activeSessionID
            heartbeat.runningRuns = snapshot.runningRuns.map(runRef)
            message.payload = .heartbeat(heartbeat)
        case .taskAccepted(let key):
            var accepted = Marionette_Runner_V1_TaskAccepted()
            accepted.taskID = key.taskID
            accepted.runID = key.runID
            accepted.attempt = key.attempt
            message.payload = .taskAccepted(accepted)
        case .taskStarted(let key):
            var started = Marionette_Runner_V1_TaskStarted()
            started.taskID = key.taskID
            started.runID = key.runID
            started.attempt = key.attempt
            message.payload = .taskStarted(started)
        case .taskCompleted(let completion):
            var completed = Marionette_Runner_V1_TaskCompleted()
            completed.taskID = completion.key.taskID
            completed.runID = completion.key.runID
            completed.attempt = completion.key.attempt
            completed.success = completion.success
            completed.error = completion.error
            completed.exitCode = completion.exitCode
            completed.tokensInput = completion.tokensInput
            completed.tokensOutput = completion.tokensOutput
            completed.contextSnapshot = Data(completion.contextSnapshot)
            completed.lastLogSequence = completion.lastLogSequence
            completed.costUsd = completion.costUSD
            completed.tokensCachedInput = completion.tokensCachedInput
            message.payload = .taskCompleted(completed)
        case .sessionAttached(let sessionID, let restored, let workspaceRestored):
            var attached = Marionette_Runner_V1_SessionAttached()
            attached.sessionID = sessionID
            attached.restored = restored
            attached.workspaceRestored = workspaceRestored
            message.payload = .sessionAttached(attached)
        case .sessionSuspended(let suspension):
            var suspended = Marionette_Runner_V1_SessionSuspended()
            suspended.sessionID = suspension.sessionID
            suspended.strategy = suspension.strategy
            suspended.contextSaved = suspension.contextSaved
            suspended.workspaceSynced = suspension.workspaceSynced
            suspended.success = suspension.success
            suspended.error = suspension.error
            suspended.suspendedAtUnixMs = suspension.suspendedAtMs
            message.payload = .sessionSuspended(suspended)
        case .permissionResponseAck(let requestID, let permissionID):
            var ack = Marionette_Runner_V1_PermissionResponseAck()
            ack.requestID = requestID
            ack.permissionID = permissionID
            message.payload = .permissionResponseAck(ack)
        case .streamStatus(let report):
            var status = Marionette_Runner_V1_StreamStatus()
            status.streamID = report.streamID
            status.sessionID = report.sessionID
            status.state = report.state
            status.error = report.error
            status.errorCode = report.errorCode
            status.recoverable = report.recoverable
            status.atUnixMs = report.atUnixMs
            message.payload = .streamStatus(status)
        case .permissionRequest(let question):
            var request = Marionette_Runner_V1_PermissionRequest()
            request.requestID = question.requestID
            request.taskID = question.key.taskID
            request.runID = question.key.runID
            request.sessionID = question.sessionID
            request.tool = question.tool
            request.action = question.action
            request.riskLevel = question.riskLevel
            request.context = question.context
            request.createdAtUnixMs = question.createdAtMs
            // 0: the server applies permissions.default_suspend_after_seconds.
            request.suspendAfterSeconds = 0
            message.payload = .permissionRequest(request)
        case .permissionWithdrawn(let question, let reason):
            var withdrawn = Marionette_Runner_V1_PermissionWithdrawn()
            withdrawn.requestID = question.requestID
            withdrawn.taskID = question.key.taskID
            withdrawn.runID = question.key.runID
            withdrawn.sessionID = question.sessionID
            withdrawn.reason = reason
            message.payload = .permissionWithdrawn(withdrawn)
        case .contextUpdate(let sessionID, let taskID, let snapshot):
            var update = Marionette_Runner_V1_ContextUpdate()
            update.sessionID = sessionID
            update.taskID = taskID
            update.contextSnapshot = Data(snapshot)
            message.payload = .contextUpdate(update)
        }
        return message
    }

    static func runRef(_ key: RunKey) -> Marionette_Runner_V1_RunRef {
        var ref = Marionette_Runner_V1_RunRef()
        ref.taskID = key.taskID
        ref.runID = key.runID
        ref.attempt = key.attempt
        return ref
    }

    // MARK: StreamLogs

    public static func logsInit(_ context: RunLogContext, runnerID: String) -> Marionette_Runner_V1_StreamLogsMessage {
        var initMessage = Marionette_Runner_V1_StreamLogsInit()
        initMessage.sessionID = context.sessionID
        initMessage.taskID = context.taskID
        initMessage.runID = context.runID
        initMessage.runnerID = runnerID
        initMessage.tenantID = context.tenantID
        var message = Marionette_Runner_V1_StreamLogsMessage()
        message.payload = .init_p(initMessage)
        return message
    }

    /// A line of a `StreamLogs` call. Its ids are left empty: the call's `init` names the run, and
    /// the server reads empty ids as the init's (runner-protocol.md §9 rejects only different
    /// ones), which spares five strings per line on both sides.
    public static func logEntry(_ line: LogLine) -> Marionette_Runner_V1_LogEntry {
        var entry = Marionette_Runner_V1_LogEntry()
        entry.stream = line.stream
        entry.level = line.level
        entry.content = line.content
        entry.sequence = line.sequence
        entry.timestampUnixMs = line.timestampMs
        entry.metadata = line.metadata
        return entry
    }

    /// Consecutive lines become one `batch`; every gap its own `gap` message, in sequence order.
    public static func logMessages(_ items: [LogBuffer.Outgoing], context: RunLogContext, runnerID: String)
        -> [Marionette_Runner_V1_StreamLogsMessage]
    {
        var messages: [Marionette_Runner_V1_StreamLogsMessage] = []
        var batch = Marionette_Runner_V1_LogBatch()
        func flushBatch() {
            guard !batch.entries.isEmpty else { return }
            var message = Marionette_Runner_V1_StreamLogsMessage()
            message.payload = .batch(batch)
            messages.append(message)
            batch = Marionette_Runner_V1_LogBatch()
        }
        for item in items {
            switch item {
            case .line(let line):
                batch.entries.append(logEntry(line))
            case .gap(let first, let last, let reason):
                flushBatch()
                var gap = Marionette_Runner_V1_LogGap()
                gap.firstSequence = first
                gap.lastSequence = last
                gap.reason = reason
                var message = Marionette_Runner_V1_StreamLogsMessage()
                message.payload = .gap(gap)
                messages.append(message)
            }
        }
        flushBatch()
        return messages
    }
}
