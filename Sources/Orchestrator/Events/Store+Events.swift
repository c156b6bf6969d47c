import Core

/// The events of api.md §14.1, made from the records a committed change returned. Emitting never
/// fails the change: a lookup that fails only leaves a field out. Labels: a session's and a
/// runner's own; a task's or stream's own over its session's; a tunnel's session's.
extension Store {
    func emit(_ type: String, session: SessionRecord) {
        var data: [String: EventField] = [:]
        data.set("workspace_id", session.workspaceID)
        data.set("agent", session.agent)
        data.set("status", session.status)
        data.set("runner_id", session.runnerID)
        data.set("lifecycle_mode", session.lifecycleMode)
        data.set("suspend_reason", session.suspendReason)
        events.publish(
            DomainEvent(
                type: type, resourceID: session.id, tenantID: session.tenantID, labels: session.labels,
                annotations: session.annotations, data: data, timestamp: now()))
    }

    func emit(_ type: String, task: TaskRecord, run: TaskRunRecord? = nil) async {
        var data: [String: EventField] = [:]
        data.set("session_id", task.sessionID)
        data.set("prompt", String(task.prompt.prefix(200)))
        data.set("status", task.status)
        if let run {
            if let started = run.startedAt, let ended = run.endedAt {
                data.set("duration_seconds", Double(ended.milliseconds - started.milliseconds) / 1000)
            }
            data.set("exit_code", run.exitCode)
            data.set("error", run.error)
            data.set("tokens_input", run.tokensInput)
            data.set("tokens_output", run.tokensOutput)
        }
        events.publish(
            DomainEvent(
                type: type, resourceID: task.id, tenantID: task.tenantID,
                labels: await sessionLabels(task.sessionID, over: task.labels), annotations: task.annotations, data: data,
                timestamp: now()))
    }

    func emit(_ type: String, stream: StreamRecord) async {
        var data: [String: EventField] = [:]
        data.set("session_id", stream.sessionID)
        data.set("type", stream.type)
        data.set("state", stream.state)
        data.set("error_code", stream.errorCode)
        data.set("error", stream.error)
        events.publish(
            DomainEvent(
                type: type, resourceID: stream.id, tenantID: stream.tenantID,
                labels: await sessionLabels(stream.sessionID, over: stream.labels), data: data, timestamp: now()))
    }

    /// `permission.*`, with the session's labels.
    func emit(_ type: String, permission: PermissionRecord) async {
        var data: [String: EventField] = [:]
        data.set("session_id", permission.sessionID)
        data.set("task_id", permission.taskID)
        data.set("tool", permission.tool)
        data.set("action", permission.action)
        data.set("risk_level", permission.riskLevel)
        data.set("status", permission.status)
        data.set("responded_by", permission.respondedBy)
        data.set("response_reason", permission.responseReason)
        events.publish(
            DomainEvent(
                type: type, resourceID: permission.id, tenantID: permission.tenantID,
                labels: await sessionLabels(permission.sessionID, over: [:]), data: data, timestamp: now()))
    }

    /// Tunnels have no labels of their own: their session's are used.
    func emit(_ type: String, tunnel: TunnelRecord) async {
        var data: [String: EventField] = [:]
        data.set("session_id", tunnel.sessionID)
        data.set("type", tunnel.type)
        data.set("local_port", tunnel.localPort)
        data.set("is_public", tunnel.isPublic)
        data.set("public_port", tunnel.publicPort)
        let session = try? await session(tunnel.sessionID, scope: .system)
        events.publish(
            DomainEvent(
                type: type, resourceID: tunnel.id, tenantID: session?.tenantID, labels: session?.labels ?? [:], data: data,
                timestamp: now()))
    }

    /// A task's or stream's labels over its session's: a `labels` filter on a session's labels
    /// follows everything that happens in it.
    private func sessionLabels(_ sessionID: String, over own: [String: String]) async -> [String: String] {
        guard let session = try? await session(sessionID, scope: .system) else { return own }
        return session.labels.merging(own) { _, resource in resource }
    }

    /// `runner.*`, from the runner's row as it is now.
    func emitRunner(_ type: String, runnerID: String, sessionID: String? = nil) async {
        guard let row = try? await runnerRow(runnerID) else { return }
        var data: [String: EventField] = [:]
        data.set("name", row.string("name"))
        data.set("status", row.string("status"))
        data.set("pool_name", row.string("pool_name"))
        data.set("session_id", sessionID)
        data.set("sandbox_mode", row.string("sandbox_mode"))
        events.publish(
            DomainEvent(
                type: type, resourceID: runnerID, tenantID: row.string("tenant_id"),
                labels: row.stringMap("labels"), data: data, timestamp: now()))
    }
}
