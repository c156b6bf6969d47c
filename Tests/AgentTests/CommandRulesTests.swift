import Testing

@testable import Agent

@Suite struct CommandRulesTests {
    private func execute(run: String = "trun_1", session: String = "sess_1", agent: String? = "command", workDir: String = "")
        -> ExecuteTaskCommand
    {
        ExecuteTaskCommand(
            taskID: "task_1", runID: run, sessionID: session, prompt: "true", workDir: workDir,
            agentSettings: agent.map { AgentSettings(agent: $0) })
    }

    private func attached(_ agent: String? = nil) -> SessionTable {
        var sessions = SessionTable()
        sessions.attach(
            AttachSessionCommand(sessionID: "sess_1", workspaceID: "ws_1", agentSettings: agent.map { AgentSettings(agent: $0) }),
            base: "/workspace")
        return sessions
    }

    @Test func executeBeforeAttachIsRefused() {
        let decision = CommandRules.decide(execute(), sessions: SessionTable(), runs: RunLedger(), availableAgents: ["command"])
        guard case .reject(let completion) = decision else { Issue.record("expected reject, got \(decision)"); return }
        #expect(!completion.success)
        #expect(completion.error == "session not attached")
        #expect(completion.key.runID == "trun_1")
    }

    @Test func attachThenExecuteStarts() {
        let decision = CommandRules.decide(execute(), sessions: attached(), runs: RunLedger(), availableAgents: ["command"])
        guard case .start(let session, let agent, let directory) = decision else { Issue.record("got \(decision)"); return }
        #expect(session.sessionID == "sess_1")
        #expect(agent == "command")
        #expect(directory == "/workspace/ws_1")
    }

    @Test func redeliveriesFollowTheRunLedger() {
        var runs = RunLedger<TaskCompletion>()
        runs.begin(RunKey(taskID: "task_1", runID: "trun_1", attempt: 1), sessionID: "sess_1")
        #expect(CommandRules.decide(execute(), sessions: attached(), runs: runs, availableAgents: ["command"]) == .ignoreInFlight)
        let completion = TaskCompletion(key: RunKey(taskID: "task_1", runID: "trun_1", attempt: 1), success: true, lastLogSequence: 3)
        runs.complete("trun_1", with: completion)
        // Even after the session went away the stored result is re-sent.
        #expect(CommandRules.decide(execute(), sessions: SessionTable(), runs: runs, availableAgents: ["command"]) == .resend(completion))
    }

    @Test func agentFromTaskOrSession() {
        let fromSession = CommandRules.decide(
            execute(agent: nil), sessions: attached("command"), runs: RunLedger(), availableAgents: ["command"])
        guard case .start(_, let agent, _) = fromSession else { Issue.record("got \(fromSession)"); return }
        #expect(agent == "command")

        let none = CommandRules.decide(execute(agent: nil), sessions: attached(), runs: RunLedger(), availableAgents: ["command"])
        guard case .reject(let noAgent) = none else { Issue.record("got \(none)"); return }
        #expect(noAgent.error == "no agent configured for the session")

        let missing = CommandRules.decide(execute(agent: "claude"), sessions: attached(), runs: RunLedger(), availableAgents: ["command"])
        guard case .reject(let unavailable) = missing else { Issue.record("got \(missing)"); return }
        #expect(unavailable.error.contains("not available"))
    }

    @Test func workspacePaths() {
        #expect(SessionTable.workspacePath(base: "/workspace", workspacePath: "", workspaceID: "ws_1", sessionID: "s") == "/workspace/ws_1")
        #expect(SessionTable.workspacePath(base: "/workspace/", workspacePath: "proj", workspaceID: "ws_1", sessionID: "s") == "/workspace/proj")
        #expect(SessionTable.workspacePath(base: "/workspace", workspacePath: "/srv/x", workspaceID: "ws_1", sessionID: "s") == "/srv/x")
        #expect(SessionTable.workspacePath(base: "/workspace", workspacePath: "", workspaceID: "", sessionID: "sess_9") == "/workspace/sess_9")
        #expect(SessionTable.workspacePath(base: "/workspace", workspacePath: "", workspaceID: "../x", sessionID: "sess_9") == "/workspace/sess_9")
        #expect(SessionTable.workingDirectory(workspace: "/w", workDir: "") == "/w")
        #expect(SessionTable.workingDirectory(workspace: "/w", workDir: "sub/dir") == "/w/sub/dir")
        #expect(SessionTable.workingDirectory(workspace: "/w", workDir: "/abs") == "/abs")
    }

    @Test func detachForgetsAndActiveIsTheLatest() {
        var sessions = attached()
        sessions.attach(AttachSessionCommand(sessionID: "sess_2"), base: "/b")
        #expect(sessions.activeSessionID == "sess_2")
        #expect(sessions.detach("sess_2")?.workspacePath == "/b/sess_2")
        #expect(sessions.activeSessionID == "sess_1")
        #expect(sessions.detach("sess_2") == nil)
    }

    @Test func killErrorsAndTimeouts() {
        #expect(CommandRules.killError(reason: "timeout") == "timeout")
        #expect(CommandRules.killError(reason: "canceled") == "canceled")
        #expect(CommandRules.killError(reason: "") == "canceled")
        #expect(CommandRules.timeout(seconds: 0) == .seconds(3600))
        #expect(CommandRules.timeout(seconds: 5) == .seconds(5))
    }

    @Test func permissionAnswersAreCached() {
        var sessions = SessionTable()
        sessions.attach(
            AttachSessionCommand(
                sessionID: "s", pendingPermissions: [PendingPermissionAnswer(requestID: "tu_1", permissionID: "perm_1", approved: true, taskID: "task_1", tool: "Bash", action: "rm -rf /tmp/x")]),
            base: "/w")
        #expect(sessions["s"]?.permissionAnswers["task_1:Bash"] == true)
        #expect(sessions["s"]?.permissionAnswers["action:rm -rf /tmp/x"] == true)
    }
}
