import Foundation
import Synchronization
import Testing

@testable import Agent

/// The Claude executor against the Claude Code test double (Tests/Doubles/claude/claude), which
/// speaks the CLI's stream-json protocol: handshake, multi-turn output, tool use with permission
/// control requests, crashes and resume from the transcript in the workspace.
@Suite(.serialized) struct ClaudeExecutorTests {
    static let double = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Doubles/claude/claude").path

    /// Answers gated calls with `decide` and records the questions.
    final class Callbacks: ExecutorCallbacks {
        let questions = Mutex<[PermissionQuestion]>([])
        let snapshots = Mutex<[[UInt8]]>([])
        let decide: @Sendable (PermissionQuestion) -> PermissionDecision

        init(decide: @escaping @Sendable (PermissionQuestion) -> PermissionDecision = { _ in PermissionDecision(approved: true, reason: "ok") }) {
            self.decide = decide
        }

        func permission(_ question: PermissionQuestion) async -> PermissionDecision {
            questions.withLock { $0.append(question) }
            return decide(question)
        }

        func contextUpdated(_ snapshot: [UInt8]) async { snapshots.withLock { $0.append(snapshot) } }
    }

    struct Run {
        var result: ExecutorResult
        var lines: [LogLine]
    }

    func run(
        _ prompt: String, workspace: String, snapshot: [UInt8] = [], policy: String = "ask",
        callbacks: any ExecutorCallbacks = Callbacks(),
        environment: [String: String] = [:], runID: String = "trun_claude"
    ) async throws -> Run {
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "sess_1", taskID: "task_1", runID: runID, tenantID: "", workspacePath: workspace))
        let output = RunOutput(runID: runID, buffer: buffer)
        var env = ["PATH": "/usr/bin:/bin", "HOME": workspace, "MARIONETTE_WORKSPACE": workspace, "MARIONETTE_CLAUDE_BIN": Self.double]
        for (key, value) in environment { env[key] = value }
        let task = ExecutorTask(
            key: RunKey(taskID: "task_1", runID: runID, attempt: 1), sessionID: "sess_1", prompt: prompt,
            workingDirectory: workspace, environment: env, agentSettings: AgentSettings(agent: "claude"),
            contextSnapshot: snapshot, permissionPolicy: policy, callbacks: callbacks)
        let running = try ClaudeExecutor(exitGrace: .seconds(2)).start(task, output: output)
        let result = await running.result()
        await output.close()
        return Run(result: result, lines: await bufferedLines(buffer, run: runID))
    }

    @Test func multiTurnToolUseApprovedAndDenied() async throws {
        let workspace = temporaryDirectory()
        _ = FileManager.default.createFile(atPath: workspace + "/keep.txt", contents: Data("x".utf8))
        let callbacks = Callbacks { question in
            question.action.hasPrefix("rm ")
                ? PermissionDecision(approved: false, reason: "denied by operator")
                : PermissionDecision(approved: true, reason: "approved by operator")
        }
        let run = try await run(
            "say starting\nthink about it\nbash echo made > made.txt\nbash rm keep.txt\nread keep.txt\nsay done", workspace: workspace,
            callbacks: callbacks)
        #expect(run.result.success, "\(run.result.error)\n\(run.lines.map(\.content).joined(separator: "\n"))")
        #expect(FileManager.default.fileExists(atPath: workspace + "/made.txt"), "the approved command ran")
        #expect(FileManager.default.fileExists(atPath: workspace + "/keep.txt"), "the denied command never ran")

        let questions = callbacks.questions.withLock { $0 }
        #expect(questions.map(\.action) == ["echo made > made.txt", "rm keep.txt"], "Read is not gated")
        #expect(questions.allSatisfy { $0.tool == "Bash" && $0.riskLevel == "critical" && $0.requestID.hasPrefix("toolu_") })
        #expect(questions.first?.context.contains("\"cwd\"") == true)

        let system = run.lines.filter { $0.stream == "system" }.map(\.content)
        #expect(system.first == "Claude Code started")
        #expect(system.count > 1 && system[1].contains("--permission-prompt-tool stdio"))
        let kinds = run.lines.compactMap { $0.metadata["event_kind"] }
        for kind in ["system", "text", "thinking", "tool_use", "tool_result", "result"] {
            #expect(kinds.contains(kind), "no \(kind) line")
        }
        let denied = run.lines.first { $0.metadata["event_kind"] == "tool_result" && $0.level == "error" }
        #expect(denied?.content.contains("denied by operator") == true)
        #expect(denied?.metadata["tool"] == "Bash")
        let result = try #require(run.lines.first { $0.metadata["event_kind"] == "result" })
        #expect(result.content.contains("\"permission_denials\":[{"), "the denial shows in the result")
        // Tokens and cost are the result line's.
        let object = try JSONSerialization.jsonObject(with: Data(result.content.utf8)) as! [String: Any]
        let usage = object["usage"] as! [String: Any]
        let input = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"].reduce(0) { $0 + (usage[$1] as! Int) }
        #expect(run.result.tokensInput == Int64(input))
        #expect(run.result.tokensOutput == Int64(usage["output_tokens"] as! Int))
        #expect(run.result.costUSD == object["total_cost_usd"] as! Double && run.result.costUSD > 0)
        let conversation = object["session_id"] as! String
        #expect(ClaudeOutcome.conversationID(fromSnapshot: run.result.contextSnapshot) == conversation)
        #expect(callbacks.snapshots.withLock { $0 }.map { ClaudeOutcome.conversationID(fromSnapshot: $0) } == [conversation])
        #expect(FileManager.default.fileExists(atPath: workspace + "/.marionette/agents/claude/projects"), "transcripts stay in the workspace")
    }

    /// Holds every question until it is withdrawn, creating `marker` (the double's `withdraw` step
    /// then withdraws it); approves the ones whose action starts "echo ok".
    actor WithdrawingCallbacks: ExecutorCallbacks {
        let marker: String
        private var waiting: [String: CheckedContinuation<PermissionDecision, Never>] = [:]
        private(set) var withdrawn: [(PermissionQuestion, String)] = []

        init(marker: String) { self.marker = marker }

        func permission(_ question: PermissionQuestion) async -> PermissionDecision {
            if question.action.hasPrefix("echo ok") { return PermissionDecision(approved: true, reason: "approved") }
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
            return await withCheckedContinuation { waiting[question.requestID] = $0 }
        }

        func contextUpdated(_ snapshot: [UInt8]) async {}

        func withdraw(_ question: PermissionQuestion, reason: String) async {
            withdrawn.append((question, reason))
            waiting.removeValue(forKey: question.requestID)?.resume(returning: PermissionDecision(approved: false, reason: reason))
        }
    }

    @Test func aWithdrawnQuestionIsNeitherAnsweredNorLeftWaiting() async throws {
        let workspace = temporaryDirectory()
        let callbacks = WithdrawingCallbacks(marker: workspace + "/withdraw-now")
        let run = try await run(
            "withdraw withdraw-now echo never > never.txt\nbash echo ok > ok.txt\nsay done", workspace: workspace, callbacks: callbacks)
        let transcript = run.lines.map(\.content).joined(separator: "\n")
        #expect(run.result.success, "\(run.result.error)\n\(transcript)")
        let withdrawn = await callbacks.withdrawn
        #expect(withdrawn.map(\.0.action) == ["echo never > never.txt"] && withdrawn.first?.1 == ClaudeRun.withdrawnReason)
        #expect(withdrawn.first?.0.requestID.hasPrefix("toolu_") == true, "the question the operator saw, by its tool_use_id")
        #expect(!FileManager.default.fileExists(atPath: workspace + "/never.txt"))
        #expect(FileManager.default.fileExists(atPath: workspace + "/ok.txt"), "the next question was answered as usual")
        #expect(run.lines.contains { $0.content.hasPrefix("the CLI withdrew control request req_") })
        // The double reports any control_response naming the withdrawn request on stderr.
        #expect(!transcript.contains("control response for withdrawn request"), "\(transcript)")
    }

    @Test func resumeContinuesTheConversation() async throws {
        let workspace = temporaryDirectory()
        let first = try await run("remember the word pelican", workspace: workspace, runID: "trun_one")
        #expect(first.result.success)
        let second = try await run("recall", workspace: workspace, snapshot: first.result.contextSnapshot, runID: "trun_two")
        #expect(second.result.success, "\(second.result.error)")
        let id = try #require(ClaudeOutcome.conversationID(fromSnapshot: first.result.contextSnapshot))
        #expect(second.lines.contains { $0.stream == "system" && $0.content.contains("--resume=\(id)") })
        #expect(second.lines.contains { $0.content.contains("first prompt: remember the word pelican") })

        let unknown = try await run(
            "recall", workspace: workspace, snapshot: ClaudeOutcome.contextSnapshot(conversationID: "gone"), runID: "trun_three")
        #expect(!unknown.result.success && unknown.result.error == "exit code 1")
        #expect(unknown.lines.contains { $0.stream == "stderr" && $0.content.contains("No conversation found with session ID: gone") })
    }

    @Test func crashWithoutResultFails() async throws {
        let workspace = temporaryDirectory()
        let clean = try await run("say working\nexit 0", workspace: workspace)
        #expect(!clean.result.success)
        #expect(clean.result.error.hasPrefix(ClaudeOutcome.missingResult))
        let crashed = try await run("say working\nexit 9", workspace: workspace, runID: "trun_crash")
        #expect(!crashed.result.success && crashed.result.exitCode == 9 && crashed.result.error.hasPrefix("exit code 9"))
        let failed = try await run("fail error_max_turns", workspace: workspace, runID: "trun_fail")
        #expect(!failed.result.success && failed.result.error == "max turns reached")
    }

    @Test func autoPolicyApprovesWithoutAsking() async throws {
        let workspace = temporaryDirectory()
        let callbacks = Callbacks { _ in PermissionDecision(approved: false, reason: "must not be asked") }
        let run = try await run("bash touch auto.txt", workspace: workspace, policy: "auto", callbacks: callbacks)
        #expect(run.result.success)
        #expect(callbacks.questions.withLock { $0 }.isEmpty)
        #expect(FileManager.default.fileExists(atPath: workspace + "/auto.txt"))
        #expect(run.lines.contains { $0.content.contains("auto_approved") })
    }

    @Test func gatingOffApprovesWithoutAskingAndSaysSo() async throws {
        let workspace = temporaryDirectory()
        let callbacks = Callbacks { _ in PermissionDecision(approved: false, reason: "must not be asked") }
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "sess_1", taskID: "task_1", runID: "trun_ungated", tenantID: "", workspacePath: workspace))
        let output = RunOutput(runID: "trun_ungated", buffer: buffer)
        let task = ExecutorTask(
            key: RunKey(taskID: "task_1", runID: "trun_ungated", attempt: 1), sessionID: "sess_1", prompt: "bash touch ungated.txt",
            workingDirectory: workspace, environment: ["PATH": "/usr/bin:/bin", "HOME": workspace, "MARIONETTE_WORKSPACE": workspace],
            agentSettings: AgentSettings(agent: "claude"), contextSnapshot: [], permissionPolicy: "ask", callbacks: callbacks)
        // The binary from configuration (no MARIONETTE_CLAUDE_BIN in the task's environment).
        let running = try ClaudeExecutor(exitGrace: .seconds(2), binary: Self.double, permissionGating: false).start(task, output: output)
        let result = await running.result()
        await output.close()
        #expect(result.success)
        #expect(callbacks.questions.withLock { $0 }.isEmpty)
        #expect(FileManager.default.fileExists(atPath: workspace + "/ungated.txt"))
        #expect(await bufferedLines(buffer, run: "trun_ungated").contains { $0.content.contains("permission_gating false") })
    }

    @Test func missingCLIIsAClearError() throws {
        let workspace = temporaryDirectory()
        let buffer = LogBuffer()
        let output = RunOutput(runID: "trun_missing", buffer: buffer)
        let task = ExecutorTask(
            key: RunKey(taskID: "t", runID: "trun_missing", attempt: 1), sessionID: "s", prompt: "hi", workingDirectory: workspace,
            environment: ["PATH": workspace])
        #expect(throws: SpawnError.self) { _ = try ClaudeExecutor().start(task, output: output) }
        do {
            _ = try ClaudeExecutor().start(task, output: output)
        } catch {
            #expect("\(error)" == "claude CLI not found on PATH; install it or set MARIONETTE_CLAUDE_BIN to its path")
        }
        var pointed = task
        pointed.environment["MARIONETTE_CLAUDE_BIN"] = workspace + "/nope"
        do {
            _ = try ClaudeExecutor().start(pointed, output: output)
            Issue.record("started a missing binary")
        } catch {
            #expect("\(error)".contains("MARIONETTE_CLAUDE_BIN=\(workspace)/nope is not an executable file"))
        }
    }

    /// Through the command handler: the question goes out as `PermissionRequest`, the server's
    /// `ApprovePermission` answers the waiting CLI and is acknowledged; answers replayed on attach
    /// are used by a re-run of the same task without asking again; the next task resumes.
    @Test func handlerRoutesQuestionsAndAnswers() async throws {
        let base = temporaryDirectory("claude-handler")
        let buffer = LogBuffer()
        let sink = RecordingSink()
        let handler = CommandHandler(
            configuration: .init(
                workspaceBase: base, baseEnvironment: ["PATH": "/usr/bin:/bin", "MARIONETTE_CLAUDE_BIN": Self.double],
                sequenceWait: .milliseconds(1)),
            logs: buffer, events: sink, executors: [ClaudeExecutor(exitGrace: .seconds(2))], logger: testLogger)
        await handler.handle(.attachSession(AttachSessionCommand(sessionID: "sess_c", workspaceID: "ws_c", agentSettings: AgentSettings(agent: "claude"))))
        await handler.handle(.executeTask(ExecuteTaskCommand(taskID: "task_c", runID: "trun_c1", sessionID: "sess_c", prompt: "bash touch ok.txt")))
        let asked = await sink.waitFor { if case .permissionRequest = $0 { true } else { false } }
        guard case .permissionRequest(let question)? = asked else {
            Issue.record("no permission request")
            return
        }
        #expect(question.tool == "Bash" && question.action == "touch ok.txt" && question.sessionID == "sess_c")
        #expect(question.key.runID == "trun_c1")
        #expect(sink.all.contains { if case .contextUpdate(let session, _, let snapshot) = $0 { session == "sess_c" && !snapshot.isEmpty } else { false } })
        let answer = PendingPermissionAnswer(
            requestID: question.requestID, permissionID: "perm_1", approved: true, taskID: "task_c", tool: "Bash", action: question.action)
        await handler.handle(.approvePermission(ApprovePermissionCommand(answer: answer)))
        let done = try #require(await sink.completion(run: "trun_c1"))
        #expect(done.success, "\(done.error)")
        #expect(FileManager.default.fileExists(atPath: base + "/ws_c/ok.txt"))
        #expect(sink.all.contains(.permissionResponseAck(requestID: question.requestID, permissionID: "perm_1")))

        // An answer delivered on attach (the session was suspended while the task waited) is used
        // by the re-run of that task without a new question.
        await handler.handle(
            .attachSession(
                AttachSessionCommand(
                    sessionID: "sess_c", workspaceID: "ws_c", agentSettings: AgentSettings(agent: "claude"),
                    pendingPermissions: [
                        PendingPermissionAnswer(
                            requestID: "toolu_old", permissionID: "perm_2", approved: true, taskID: "task_d", tool: "Bash",
                            action: "touch again.txt")
                    ])))
        #expect(sink.all.contains(.permissionResponseAck(requestID: "toolu_old", permissionID: "perm_2")))
        let asksBefore = sink.all.filter { if case .permissionRequest = $0 { true } else { false } }.count
        await handler.handle(.executeTask(ExecuteTaskCommand(taskID: "task_d", runID: "trun_d1", sessionID: "sess_c", prompt: "bash touch again.txt\nrecall")))
        let again = try #require(await sink.completion(run: "trun_d1"))
        #expect(again.success, "\(again.error)")
        #expect(FileManager.default.fileExists(atPath: base + "/ws_c/again.txt"))
        #expect(sink.all.filter { if case .permissionRequest = $0 { true } else { false } }.count == asksBefore)
        let lines = await bufferedLines(buffer, run: "trun_d1")
        #expect(lines.contains { $0.content.contains("first prompt: bash touch ok.txt") }, "the second task resumed the conversation")

        // A question the CLI withdraws while the operator has it: the server hears of it, the run goes on.
        await handler.handle(
            .executeTask(
                ExecuteTaskCommand(taskID: "task_w", runID: "trun_w1", sessionID: "sess_c", prompt: "withdraw withdraw-now touch no.txt\nsay done")))
        // Withdrawn once the operator has it (the server holds it pending).
        _ = await sink.waitFor { if case .permissionRequest(let asked) = $0 { asked.key.runID == "trun_w1" } else { false } }
        _ = FileManager.default.createFile(atPath: base + "/ws_c/withdraw-now", contents: nil)
        let withdrawn = await sink.waitFor { if case .permissionWithdrawn = $0 { true } else { false } }
        guard case .permissionWithdrawn(let pulled, let reason)? = withdrawn else {
            Issue.record("no permission_withdrawn")
            return
        }
        #expect(pulled.action == "touch no.txt" && pulled.key.runID == "trun_w1" && reason == ClaudeRun.withdrawnReason)
        #expect(sink.all.contains(.permissionRequest(pulled)), "withdrawn is the question that was asked")
        #expect(try #require(await sink.completion(run: "trun_w1")).success)
        #expect(!FileManager.default.fileExists(atPath: base + "/ws_c/no.txt"))
    }
}
