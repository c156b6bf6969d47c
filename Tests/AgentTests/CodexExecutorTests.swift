import Foundation
import Testing

@testable import Agent

/// The Codex executor (exec mode) and custom agents: JSONL parsing and outcome rules as pure
/// functions, then the executors against the Codex CLI test double (Tests/Doubles/codex/codex).
@Suite(.serialized) struct CodexExecutorTests {
    static let double = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Doubles/codex/codex").path

    @Test func eventsAndOutcome() {
        var parser = CodexEventParser()
        let started = parser.parse(#"{"type":"thread.started","thread_id":"th_1"}"#)
        #expect(started.kind == "system" && started.sessionStarted == "th_1")
        #expect(CodexOutcome.threadID(fromSnapshot: started.contextSnapshot ?? []) == "th_1")
        #expect(parser.parse(#"{"type":"turn.started"}"#).kind == "system")
        #expect(parser.parse(#"{"type":"item.completed","item":{"id":"i0","type":"reasoning","text":"hm"}}"#).kind == "thinking")
        let run = parser.parse(
            #"{"type":"item.started","item":{"id":"i1","type":"command_execution","command":"bash -lc ls","status":"in_progress"}}"#)
        #expect(run.kind == "tool_use" && run.tool == "command_execution")
        let ran = parser.parse(
            #"{"type":"item.completed","item":{"id":"i1","type":"command_execution","command":"bash -lc ls","exit_code":2,"status":"failed"}}"#)
        #expect(ran.kind == "tool_result" && ran.level == "error")
        let change = parser.parse(#"{"type":"item.completed","item":{"id":"i2","type":"file_change","changes":[{"path":"a","kind":"add"}],"status":"completed"}}"#)
        #expect(change.kind == "tool_result" && change.tool == "file_change" && change.level == "info")
        let mcp = parser.parse(#"{"type":"item.started","item":{"id":"i3","type":"mcp_tool_call","server":"gh","tool":"issue","status":"in_progress"}}"#)
        #expect(mcp.tool == "mcp__gh__issue")
        #expect(parser.parse(#"{"type":"item.completed","item":{"id":"i4","type":"agent_message","text":"Done."}}"#).kind == "text")
        #expect(parser.parse(#"{"type":"item.completed","item":{"id":"i5","type":"todo_list","items":[]}}"#).kind == "system")
        #expect(parser.parse(#"{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}"#).kind == "usage")
        #expect(parser.lastAgentMessage == "Done.")
        let success = CodexOutcome.result(exit: .exited(0), stream: parser)
        #expect(success.success && success.tokensInput == 24763 && success.tokensOutput == 122)
        #expect(success.tokensCachedInput == 24448)
        #expect(success.costUSD == 0, "Codex reports no cost: unknown, never computed here")
        #expect(CodexOutcome.threadID(fromSnapshot: success.contextSnapshot) == "th_1")
        #expect(!CodexOutcome.result(exit: .exited(1), stream: parser).success, "exit status counts too")

        var failed = CodexEventParser()
        _ = failed.parse(#"{"type":"error","message":"stream disconnected; retrying"}"#)
        #expect(failed.parse(#"{"type":"turn.failed","error":{"message":"quota exceeded"}}"#).level == "error")
        #expect(CodexOutcome.result(exit: .exited(1), stream: failed).error == "quota exceeded")
        var silent = CodexEventParser()
        _ = silent.parse(#"{"type":"thread.started","thread_id":"th_2"}"#)
        #expect(CodexOutcome.result(exit: .exited(0), stream: silent).error == CodexOutcome.missingCompletion)
        #expect(CodexOutcome.result(exit: .exited(3), stream: silent).error == "exit code 3")
        #expect(ClaudeOutcome.conversationID(fromSnapshot: CodexOutcome.contextSnapshot(threadID: "x")) == nil, "not Claude's")
    }

    @Test func appServerMessages() throws {
        for line in [
            CodexAppServerParser.initialize(id: 0), CodexAppServerParser.initialized,
            CodexAppServerParser.threadStart(id: 1, cwd: "/w \"q\"", model: "gpt-5", sandbox: "workspace-write"),
            CodexAppServerParser.threadResume(id: 1, threadID: "th"), CodexAppServerParser.turnStart(id: 2, threadID: "th", prompt: "a\nb"),
            CodexAppServerParser.approvalResponse(idJSON: "\"req-1\"", decision: "accept"),
            CodexAppServerParser.errorResponse(idJSON: "7", method: "item/tool/requestUserInput"),
        ] {
            #expect(throws: Never.self) { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        }
        let start = try JSONSerialization.jsonObject(with: Data(CodexAppServerParser.threadStart(id: 1, cwd: "/w", model: "", sandbox: "read-only").utf8)) as! [String: Any]
        #expect((start["params"] as! [String: Any])["approvalPolicy"] as? String == "on-request")

        var parser = CodexAppServerParser()
        let response = parser.parse(#"{"id":1,"result":{"thread":{"id":"th_1"}}}"#)
        #expect(parser.lastMessage == .response(id: 1, result: ["thread_id": "th_1"], error: nil))
        #expect(response.sessionStarted == "th_1" && parser.threadID == "th_1")
        _ = parser.parse(#"{"method":"item/started","params":{"item":{"type":"fileChange","id":"it_2","changes":[{"path":"/w/a","kind":"add"}]}}}"#)
        _ = parser.parse(#"{"id":"r9","method":"item/fileChange/requestApproval","params":{"itemId":"it_2","threadId":"th_1"}}"#)
        guard case .serverRequest(let request) = parser.lastMessage else {
            Issue.record("not a server request")
            return
        }
        #expect(request.idJSON == "\"r9\"" && request.approvalTool == "file_change" && request.action == "add /w/a")
        _ = parser.parse(#"{"id":5,"method":"item/tool/requestUserInput","params":{}}"#)
        if case .serverRequest(let other) = parser.lastMessage { #expect(other.approvalTool == nil, "unknown requests are refused") }
        _ = parser.parse(#"{"method":"thread/tokenUsage/updated","params":{"tokenUsage":{"last":{"inputTokens":10,"cachedInputTokens":4,"outputTokens":3}}}}"#)
        let done = parser.parse(#"{"method":"turn/completed","params":{"turn":{"id":"t","status":"completed"}}}"#)
        #expect(done.kind == "result" && parser.lastMessage == .turnCompleted(status: "completed", error: nil))
        let outcome = CodexOutcome.result(exit: .exited(0), appServer: parser, stoppedAfterTurn: false)
        #expect(outcome.success && outcome.tokensInput == 10 && outcome.tokensOutput == 3 && outcome.tokensCachedInput == 4)
    }

    @Test func invocation() {
        var task = ExecutorTask(
            key: RunKey(taskID: "t", runID: "r", attempt: 1), sessionID: "s", prompt: "hi", workingDirectory: "/ws",
            environment: ["MARIONETTE_WORKSPACE": "/ws"],
            agentSettings: AgentSettings(agent: "codex", model: "gpt-5", apiKey: "sk-x", baseURL: "https://b", extra: ["config.model_reasoning_effort": "high"]),
            permissionPolicy: "auto")
        let fresh = CodexInvocation.make(binary: "/bin/codex", task: task)
        #expect(
            fresh.arguments == [
                "/bin/codex", "exec", "--json", "--skip-git-repo-check", "--sandbox", "workspace-write", "--model", "gpt-5",
                "-c", "model_reasoning_effort=high", "-",
            ])
        #expect(fresh.environment["CODEX_API_KEY"] == "sk-x" && fresh.environment["OPENAI_API_KEY"] == "sk-x")
        #expect(fresh.environment["OPENAI_BASE_URL"] == "https://b")
        #expect(fresh.environment["CODEX_HOME"] == "/ws/.marionette/agents/codex")
        #expect(!fresh.displayCommand.contains("sk-x"))
        task.contextSnapshot = CodexOutcome.contextSnapshot(threadID: "th_9")
        let resumed = CodexInvocation.make(binary: "/bin/codex", task: task)
        #expect(Array(resumed.arguments.prefix(4)) == ["/bin/codex", "exec", "resume", "th_9"])
        #expect(resumed.arguments.last == "-" && resumed.resumedThread == "th_9")
    }

    func run(
        _ executor: any TaskExecutor, _ prompt: String, workspace: String, settings: AgentSettings, snapshot: [UInt8] = [],
        policy: String = "auto", runID: String = "trun_codex"
    ) async throws -> (ExecutorResult, [LogLine]) {
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "s", taskID: "t", runID: runID, tenantID: "", workspacePath: workspace))
        let output = RunOutput(runID: runID, buffer: buffer)
        let task = ExecutorTask(
            key: RunKey(taskID: "t", runID: runID, attempt: 1), sessionID: "s", prompt: prompt, workingDirectory: workspace,
            environment: ["PATH": "/usr/bin:/bin", "HOME": workspace, "MARIONETTE_WORKSPACE": workspace, "MARIONETTE_CODEX_BIN": Self.double],
            agentSettings: settings, contextSnapshot: snapshot, permissionPolicy: policy)
        let running = try executor.start(task, output: output)
        let result = await running.result()
        await output.close()
        return (result, await bufferedLines(buffer, run: runID))
    }

    @Test func codexExecRunsResumesAndFails() async throws {
        let workspace = temporaryDirectory()
        let settings = AgentSettings(agent: "codex")
        let (result, lines) = try await run(
            CodexExecutor(), "say hello\nthink plan\nbash echo made > made.txt\nwrite notes.txt hi\nsay done", workspace: workspace,
            settings: settings)
        #expect(result.success, "\(result.error) \(lines.map(\.content))")
        #expect(FileManager.default.fileExists(atPath: workspace + "/made.txt"))
        #expect(lines.first?.content == "Codex started" && lines[1].content.contains("exec --json --skip-git-repo-check"))
        let kinds = Set(lines.compactMap { $0.metadata["event_kind"] })
        #expect(kinds == ["system", "text", "thinking", "tool_use", "tool_result", "usage"], "\(kinds)")
        let usage = try #require(lines.first { $0.metadata["event_kind"] == "usage" })
        let object = try JSONSerialization.jsonObject(with: Data(usage.content.utf8)) as! [String: Any]
        let counts = object["usage"] as! [String: Int]
        #expect(result.tokensInput == Int64(counts["input_tokens"]!) && result.tokensOutput == Int64(counts["output_tokens"]!))
        #expect(FileManager.default.fileExists(atPath: workspace + "/.marionette/agents/codex/sessions"), "rollouts stay in the workspace")

        let (again, againLines) = try await run(
            CodexExecutor(), "recall", workspace: workspace, settings: settings, snapshot: result.contextSnapshot, runID: "trun_codex2")
        #expect(again.success)
        #expect(againLines.contains { $0.content.contains("first prompt: say hello") })
        #expect(CodexOutcome.threadID(fromSnapshot: again.contextSnapshot) == CodexOutcome.threadID(fromSnapshot: result.contextSnapshot))

        let (failed, _) = try await run(CodexExecutor(), "say x\nfail rate limited", workspace: workspace, settings: settings, runID: "trun_c3")
        #expect(!failed.success && failed.error == "rate limited" && failed.exitCode == 1)
        let (crashed, _) = try await run(CodexExecutor(), "say x\nexit 0", workspace: workspace, settings: settings, runID: "trun_c4")
        #expect(!crashed.success && crashed.error == CodexOutcome.missingCompletion)
    }

    /// `ask` sessions run `codex app-server`: approvals become questions, answered accept/decline.
    @Test func appServerApprovalsResumeAndFailure() async throws {
        let workspace = temporaryDirectory()
        let callbacks = ClaudeExecutorTests.Callbacks { question in
            question.action.contains("deny")
                ? PermissionDecision(approved: false, reason: "denied by operator")
                : PermissionDecision(approved: true, reason: "approved by operator")
        }
        let (result, lines) = try await runAppServer(
            "say hello\nbash echo ok > ok.txt\nbash echo deny > denied.txt\nwrite notes.txt hi", workspace: workspace, callbacks: callbacks)
        #expect(result.success, "\(result.error) \(lines.map(\.content).joined(separator: "\n"))")
        #expect(FileManager.default.fileExists(atPath: workspace + "/ok.txt"), "accepted command ran")
        #expect(!FileManager.default.fileExists(atPath: workspace + "/denied.txt"), "declined command never ran")
        #expect(FileManager.default.fileExists(atPath: workspace + "/notes.txt"), "accepted file change applied")
        let questions = callbacks.questions.withLock { $0 }
        #expect(questions.map(\.tool) == ["command_execution", "command_execution", "file_change"])
        #expect(questions.map(\.action) == ["echo ok > ok.txt", "echo deny > denied.txt", "add \(workspace)/notes.txt"])
        #expect(questions.allSatisfy { $0.riskLevel == "high" })
        #expect(lines.contains { $0.metadata["event_kind"] == "tool_result" && $0.level == "error" && $0.content.contains("declined") })
        #expect(result.tokensInput > 0 && result.tokensOutput > 0)
        let thread = try #require(CodexOutcome.threadID(fromSnapshot: result.contextSnapshot))
        #expect(callbacks.snapshots.withLock { $0 }.map { CodexOutcome.threadID(fromSnapshot: $0) } == [thread])

        let (again, againLines) = try await runAppServer(
            "recall", workspace: workspace, callbacks: callbacks, snapshot: result.contextSnapshot, runID: "trun_as2")
        #expect(again.success)
        #expect(againLines.contains { $0.content.contains("first prompt: say hello") })
        let (failed, _) = try await runAppServer("say x\nfail model overloaded", workspace: workspace, callbacks: callbacks, runID: "trun_as3")
        #expect(!failed.success && failed.error == "model overloaded")
        let (unknown, _) = try await runAppServer(
            "say x", workspace: workspace, callbacks: callbacks, snapshot: CodexOutcome.contextSnapshot(threadID: "gone"), runID: "trun_as4")
        #expect(!unknown.success && unknown.error.contains("no rollout found for thread id gone"), "\(unknown.error)")
    }

    func runAppServer(
        _ prompt: String, workspace: String, callbacks: ClaudeExecutorTests.Callbacks, snapshot: [UInt8] = [], runID: String = "trun_as"
    ) async throws -> (ExecutorResult, [LogLine]) {
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "s", taskID: "t", runID: runID, tenantID: "", workspacePath: workspace))
        let output = RunOutput(runID: runID, buffer: buffer)
        let task = ExecutorTask(
            key: RunKey(taskID: "t", runID: runID, attempt: 1), sessionID: "s", prompt: prompt, workingDirectory: workspace,
            environment: ["PATH": "/usr/bin:/bin", "HOME": workspace, "MARIONETTE_WORKSPACE": workspace, "MARIONETTE_CODEX_BIN": Self.double],
            agentSettings: AgentSettings(agent: "codex"), contextSnapshot: snapshot, permissionPolicy: "ask", callbacks: callbacks)
        let running = try CodexExecutor(exitGrace: .seconds(2)).start(task, output: output)
        let result = await running.result()
        await output.close()
        return (result, await bufferedLines(buffer, run: runID))
    }

    @Test func customAgents() async throws {
        let workspace = temporaryDirectory()
        // Plain output, prompt on stdin, exit code decides, env from the config.
        let plain = AgentSettings(agent: "custom", extra: ["command": #"["/bin/sh","-c","echo \"$GREET\"; cat; exit 3"]"#, "env.GREET": "hey"])
        let (plainResult, plainLines) = try await run(CustomAgentExecutor(), "from stdin", workspace: workspace, settings: plain)
        #expect(!plainResult.success && plainResult.exitCode == 3 && plainResult.error == "exit code 3")
        #expect(plainLines.filter { $0.stream == "stdout" }.map(\.content) == ["hey", "from stdin"])
        #expect(plainLines.allSatisfy { $0.metadata["event_kind"] == nil })

        // Prompt as an argument, substituted inside one argument, never through a shell.
        let arg = AgentSettings(agent: "custom", extra: ["command": "/bin/echo said:{prompt}", "prompt_via": "arg"])
        let (argResult, argLines) = try await run(CustomAgentExecutor(), "a b; rm -rf /", workspace: workspace, settings: arg, runID: "trun_arg")
        #expect(argResult.success)
        #expect(argLines.filter { $0.stream == "stdout" }.map(\.content) == ["said:a b; rm -rf /"])

        // Codex-shaped JSONL is understood: tokens, thread id, failures.
        let codexShaped = AgentSettings(
            agent: "custom", extra: ["command": "\(Self.double) exec --json --skip-git-repo-check -", "env.CODEX_HOME": workspace + "/cx"])
        let (shaped, shapedLines) = try await run(CustomAgentExecutor(), "say structured", workspace: workspace, settings: codexShaped, runID: "trun_sh")
        #expect(shaped.success && shaped.tokensOutput > 0 && CodexOutcome.threadID(fromSnapshot: shaped.contextSnapshot) != nil)
        #expect(shapedLines.contains { $0.metadata["event_kind"] == "text" })
        let (shapedFail, _) = try await run(CustomAgentExecutor(), "fail nope", workspace: workspace, settings: codexShaped, runID: "trun_sf")
        #expect(!shapedFail.success && shapedFail.error == "nope")

        #expect(throws: CustomAgentInvocation.Invalid.self) {
            _ = try CustomAgentInvocation.make(
                task: ExecutorTask(key: RunKey(taskID: "t", runID: "r", attempt: 1), sessionID: "s", prompt: "p", workingDirectory: "/", environment: [:],
                    agentSettings: AgentSettings(agent: "custom")))
        }
    }
}
