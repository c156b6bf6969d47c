/// What to do with an `ExecuteTask` (runner-protocol.md §4.4), decided from the run ledger, the
/// attached sessions and the executors this runner has. Pure, so the rules are unit-tested.
public enum ExecuteDecision: Sendable, Equatable {
    /// Redelivery of a run that is still running: nothing to do.
    case ignoreInFlight
    /// Redelivery of a recently completed run: send its stored `TaskCompleted` again.
    case resend(TaskCompletion)
    /// Refused without running: send this `TaskCompleted` (not stored in the ledger).
    case reject(TaskCompletion)
    /// Run it with this executor in this directory.
    case start(session: AttachedSession, agent: String, workingDirectory: String)
}

public enum CommandRules {
    public static let sessionNotAttached = "session not attached"

    public static func decide(
        _ command: ExecuteTaskCommand, sessions: SessionTable, runs: RunLedger<TaskCompletion>,
        availableAgents: Set<String>
    ) -> ExecuteDecision {
        switch runs.disposition(of: command.runID) {
        case .inFlight: return .ignoreInFlight
        case .completed(let completion): return .resend(completion)
        case .new: break
        }
        guard let session = sessions[command.sessionID] else {
            return .reject(TaskCompletion(key: command.key, success: false, error: sessionNotAttached, exitCode: -1))
        }
        let agent = resolvedAgent(command: command, session: session)
        guard !agent.isEmpty else {
            return .reject(
                TaskCompletion(key: command.key, success: false, error: "no agent configured for the session", exitCode: -1))
        }
        guard availableAgents.contains(agent) else {
            return .reject(
                TaskCompletion(
                    key: command.key, success: false, error: "agent \"\(agent)\" is not available on this runner",
                    exitCode: -1))
        }
        let directory = SessionTable.workingDirectory(workspace: session.workspacePath, workDir: command.workDir)
        return .start(session: session, agent: agent, workingDirectory: directory)
    }

    /// The task's agent config wins over the session's.
    public static func resolvedAgent(command: ExecuteTaskCommand, session: AttachedSession) -> String {
        if let agent = command.agentSettings?.agent, !agent.isEmpty { return agent }
        return session.agentSettings?.agent ?? ""
    }

    /// The `TaskCompleted.error` for a killed run: the `KillTask` reason (`canceled`, `timeout`),
    /// `canceled` when none was given.
    public static func killError(reason: String) -> String {
        reason.isEmpty ? "canceled" : reason
    }

    public static let timeoutError = "task execution timed out"

    /// Task timeout: `sandbox.timeout_seconds`, else 1 h (orchestration.md §4.1).
    public static func timeout(seconds: Int64) -> Duration {
        seconds > 0 ? .seconds(seconds) : .seconds(3600)
    }
}
