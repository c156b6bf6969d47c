import Foundation
import Testing

@testable import Agent

/// The stream-json parsing, outcome rules, invocation and gating of the Claude executor, as pure
/// functions (orchestration.md §4.2, §4.3; auth-security.md §13).
@Suite struct ClaudeStreamParserTests {
    static let initLine =
        #"{"type":"system","subtype":"init","session_id":"c0ffee","cwd":"/workspace","model":"m1","permissionMode":"default","tools":["Bash","Edit"]}"#

    @Test func classifiesEveryKindOfLine() {
        var parser = ClaudeStreamParser()
        let initEvent = parser.parse(Self.initLine)
        #expect(initEvent.kind == "system" && initEvent.sessionStarted == "c0ffee")
        #expect(parser.conversationID == "c0ffee")

        let text = parser.parse(#"{"type":"assistant","message":{"content":[{"type":"text","text":"Looking."}],"usage":{"output_tokens":3}}}"#)
        #expect(text.kind == "text" && text.tool == nil && text.level == "info")
        #expect(parser.lastAssistantText == "Looking.")

        let thinking = parser.parse(#"{"type":"assistant","message":{"content":[{"type":"thinking","thinking":"hmm"}]}}"#)
        #expect(thinking.kind == "thinking")

        let tool = parser.parse(
            #"{"type":"assistant","message":{"content":[{"type":"text","text":"Run it"},{"type":"tool_use","id":"tu_1","name":"Bash","input":{"command":"make"}}]}}"#)
        #expect(tool.kind == "tool_use" && tool.tool == "Bash")
        #expect(tool.metadata == ["event_kind": "tool_use", "tool": "Bash"])

        let result = parser.parse(
            #"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"tu_1","content":"boom","is_error":true}]}}"#)
        #expect(result.kind == "tool_result" && result.tool == "Bash" && result.level == "error")

        #expect(parser.parse(#"{"type":"rate_limit_event","rate_limit_info":{"status":"allowed"}}"#).kind == "system")
        #expect(parser.parse(#"{"type":"brand_new_type","x":1}"#).kind == "system", "unknown types pass through as system")
        #expect(parser.parse("plain text output").kind == nil, "non-JSON is plain text")
        #expect(parser.parse("{not json").kind == nil)
        #expect(parser.parse(#"{"type":"system","subtype":"api_retry","attempt":2}"#).sessionStarted == nil)
    }

    @Test func resultLineCarriesTokensCostAndFailure() {
        var parser = ClaudeStreamParser()
        _ = parser.parse(Self.initLine)
        let event = parser.parse(
            #"{"type":"result","subtype":"success","is_error":false,"result":"All tests pass.","num_turns":3,"total_cost_usd":0.04,"session_id":"c0ffee","usage":{"input_tokens":12,"output_tokens":300,"cache_read_input_tokens":9000,"cache_creation_input_tokens":100}}"#)
        #expect(event.kind == "result" && event.level == "info")
        let line = try! #require(parser.result)
        #expect(line.tokensInput == 12 + 9000 + 100)
        #expect(line.tokensOutput == 300)
        #expect(line.costUSD == 0.04)
        #expect(line.text == "All tests pass." && line.numTurns == 3)

        let outcome = ClaudeOutcome.result(exit: .exited(0), stream: parser)
        #expect(outcome.success && outcome.error.isEmpty && outcome.exitCode == 0)
        #expect(outcome.tokensInput == 9112 && outcome.tokensOutput == 300 && outcome.costUSD == 0.04)
        #expect(ClaudeOutcome.conversationID(fromSnapshot: outcome.contextSnapshot) == "c0ffee")
        let snapshot = try! JSONSerialization.jsonObject(with: Data(outcome.contextSnapshot)) as! [String: Any]
        #expect(snapshot["version"] as? Int == 1 && snapshot["agent"] as? String == "claude")
    }

    @Test func outcomeRules() {
        func stream(_ lines: [String]) -> ClaudeStreamParser {
            var parser = ClaudeStreamParser()
            for line in lines { _ = parser.parse(line) }
            return parser
        }
        let said = #"{"type":"assistant","message":{"content":[{"type":"text","text":"half done"}]}}"#
        let missing = ClaudeOutcome.result(exit: .exited(0), stream: stream([Self.initLine, said]))
        #expect(!missing.success)
        #expect(missing.error.hasPrefix("exited without emitting a result message"))
        #expect(missing.error.contains("half done"), "the last assistant text explains where it stopped")
        #expect(ClaudeOutcome.conversationID(fromSnapshot: missing.contextSnapshot) == "c0ffee")

        #expect(ClaudeOutcome.result(exit: .exited(2), stream: stream([Self.initLine])).error == "exit code 2")

        let maxTurns = #"{"type":"result","subtype":"error_max_turns","is_error":true,"num_turns":5}"#
        let turns = ClaudeOutcome.result(exit: .exited(1), stream: stream([maxTurns]))
        #expect(!turns.success && turns.error == "max turns reached" && turns.exitCode == 1)

        let apiError =
            #"{"type":"result","subtype":"success","is_error":true,"result":"Invalid API key","api_error_status":401}"#
        let api = ClaudeOutcome.result(exit: .exited(0), stream: stream([apiError]))
        #expect(!api.success, "success with is_error is a failure")
        #expect(api.error == "agent reported an error (API error 401): Invalid API key")

        let good = #"{"type":"result","subtype":"success","is_error":false,"result":"ok"}"#
        let crashedAfter = ClaudeOutcome.result(exit: .exited(3), stream: stream([good]))
        #expect(!crashedAfter.success && crashedAfter.error == "exit code 3", "process errors win")
        let lingered = ClaudeOutcome.result(exit: .signaled(15), stream: stream([good]), stoppedAfterResult: true)
        #expect(lingered.success && lingered.exitCode == 0, "a CLI stopped for lingering after its result succeeded")
        #expect(ClaudeOutcome.failureText(ClaudeResultLine(
            subtype: "error_during_execution", isError: true, text: "", apiErrorStatus: nil, numTurns: 1,
            tokensInput: 0, tokensOutput: 0, costUSD: 0)) == "error during execution")
    }

    @Test func controlRequests() {
        var parser = ClaudeStreamParser()
        let ask = parser.parse(
            #"{"type":"control_request","request_id":"r1","request":{"subtype":"can_use_tool","tool_name":"Bash","input":{"command":"rm -rf dist","timeout":5},"tool_use_id":"tu_7"}}"#)
        guard case .canUseTool(let request)? = ask.control else {
            Issue.record("not a can_use_tool: \(ask)")
            return
        }
        #expect(request.requestID == "r1" && request.toolUseID == "tu_7" && request.tool == "Bash")
        #expect(request.inputFields == ["command": "rm -rf dist", "timeout": "5"])
        #expect(request.inputJSON == #"{"command":"rm -rf dist","timeout":5}"#)
        #expect(ask.kind == "system")

        let response = parser.parse(#"{"type":"control_response","response":{"subtype":"success","request_id":"init_1","response":{}}}"#)
        #expect(response.control == .response(requestID: "init_1", success: true))
        #expect(parser.parse(#"{"type":"control_cancel_request","request_id":"r1"}"#).control == .cancel(requestID: "r1"))
        #expect(
            parser.parse(#"{"type":"control_request","request_id":"r2","request":{"subtype":"hook_callback"}}"#).control
                == .unsupported(requestID: "r2", subtype: "hook_callback"))
    }

    @Test func gluedObjectsAreSplit() {
        #expect(GluedJSONSplitter.split(#"{"a":1}{"b":"}{"}"#[...]).map(String.init) == [#"{"a":1}"#, #"{"b":"}{"}"#])
        #expect(GluedJSONSplitter.split(#"{"a":"x\"}"} {"b":2}"#[...]).map(String.init) == [#"{"a":"x\"}"}"#, #"{"b":2}"#])
        #expect(GluedJSONSplitter.split(#"{"a":1}"#[...]).count == 1)
        #expect(GluedJSONSplitter.split(#"{"a":1} trailing text"#[...]).count == 1)
        #expect(GluedJSONSplitter.split("plain"[...]) == ["plain"])
    }

    @Test func invocation() {
        var task = ExecutorTask(
            key: RunKey(taskID: "task_1", runID: "trun_1", attempt: 1), sessionID: "sess_1", prompt: "-rf hi",
            workingDirectory: "/ws/sub", environment: ["MARIONETTE_WORKSPACE": "/ws", "CLAUDECODE": "1", "PATH": "/bin"],
            agentSettings: AgentSettings(
                agent: "claude", model: "opus", apiKey: "sk-secret", baseURL: "https://proxy",
                extra: ["system_prompt": "Be brief", "allowed_tools": "Read Grep", "disallowed_tools": "WebFetch", "max_turns": "7"]),
            contextSnapshot: ClaudeOutcome.contextSnapshot(conversationID: "-dash"))
        let invocation = ClaudeInvocation.make(binary: "/usr/bin/claude", task: task)
        #expect(
            invocation.arguments == [
                "/usr/bin/claude", "-p", "--output-format", "stream-json", "--input-format", "stream-json", "--verbose",
                "--permission-mode", "default", "--permission-prompt-tool", "stdio", "--model", "opus",
                "--system-prompt", "Be brief", "--allowedTools", "Read Grep", "--disallowedTools", "WebFetch",
                "--max-turns", "7", "--add-dir", "/ws/sub", "--resume=-dash",
            ])
        #expect(invocation.workingDirectory == "/ws")
        #expect(invocation.environment["CLAUDECODE"] == nil)
        #expect(invocation.environment["ANTHROPIC_API_KEY"] == "sk-secret")
        #expect(invocation.environment["ANTHROPIC_BASE_URL"] == "https://proxy")
        #expect(invocation.environment["CLAUDE_CONFIG_DIR"] == "/ws/.marionette/agents/claude")
        #expect(!invocation.displayCommand.contains("sk-secret"), "the key travels only in the environment")
        #expect(invocation.displayCommand.contains("--system-prompt 'Be brief'"))

        // Host login without a key keeps the default config dir; a fresh session has no --resume.
        task.agentSettings = AgentSettings(agent: "claude")
        task.contextSnapshot = []
        task.workingDirectory = "/ws"
        let host = ClaudeInvocation.make(binary: "claude", task: task, hostLogin: true)
        #expect(host.environment["CLAUDE_CONFIG_DIR"] == nil)
        #expect(!host.arguments.contains { $0.hasPrefix("--resume") } && !host.arguments.contains("--add-dir"))
        #expect(ClaudeInvocation.make(binary: "claude", task: task).environment["CLAUDE_CONFIG_DIR"] == "/ws/.marionette/agents/claude")
        // Another agent's snapshot is not resumed.
        task.contextSnapshot = Array(#"{"agent":"codex","conversation_id":"t1"}"#.utf8)
        #expect(ClaudeInvocation.make(binary: "claude", task: task).resumedConversation == nil)
    }

    @Test func stdinMessagesAreValidJSON() throws {
        let user = ClaudeInvocation.userMessage("line 1\n\"quoted\" \\ done")
        let object = try JSONSerialization.jsonObject(with: Data(user.utf8)) as! [String: Any]
        let message = object["message"] as! [String: Any]
        let content = message["content"] as! [[String: Any]]
        #expect(content[0]["text"] as? String == "line 1\n\"quoted\" \\ done")
        let allow = ClaudeInvocation.permissionResponse(requestID: "r1", allow: true, inputJSON: #"{"command":"ls"}"#, message: "")
        let allowed = try JSONSerialization.jsonObject(with: Data(allow.utf8)) as! [String: Any]
        let decision = ((allowed["response"] as! [String: Any])["response"] as! [String: Any])
        #expect(decision["behavior"] as? String == "allow")
        #expect((decision["updatedInput"] as? [String: Any])?["command"] as? String == "ls")
        let deny = ClaudeInvocation.permissionResponse(requestID: "r1", allow: false, inputJSON: "{}", message: "denied \"no\"")
        let denied = try JSONSerialization.jsonObject(with: Data(deny.utf8)) as! [String: Any]
        #expect((((denied["response"] as! [String: Any])["response"]) as! [String: Any])["message"] as? String == "denied \"no\"")
    }

    @Test func gating() {
        #expect(!PermissionGating.isGated(tool: "Read") && !PermissionGating.isGated(tool: "Grep"))
        for tool in ["Bash", "Write", "Edit", "WebFetch", "mcp__github__create_issue", "", "SomethingNew"] {
            #expect(PermissionGating.isGated(tool: tool), "\(tool) must be gated")
        }
        #expect(PermissionGating.risk(tool: "Bash") == "critical")
        #expect(PermissionGating.risk(tool: "Write") == "high")
        #expect(PermissionGating.risk(tool: "WebFetch") == "medium")
        #expect(PermissionGating.risk(tool: "Read") == "low")
        #expect(PermissionGating.risk(tool: "mcp__x__y") == "medium")
        #expect(PermissionGating.action(tool: "Bash", fields: ["command": "make test", "description": "d"], inputJSON: "{}") == "make test")
        #expect(PermissionGating.action(tool: "Write", fields: ["file_path": "/a", "content": "x"], inputJSON: "{}") == "/a")
        #expect(PermissionGating.action(tool: "X", fields: [:], inputJSON: #"{"n":[1]}"#) == #"{"n":[1]}"#)
    }
}

/// The single-pass scanner agrees with the general JSON parser on every line shape it takes.
@Suite struct StreamJSONScannerTests {
    static let lines = [
        ClaudeStreamParserTests.initLine,
        #"{"type":"assistant","message":{"model":"m","id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hi \"there\"\n\u00e9\ud83d\ude00 \/ \\"}],"stop_reason":null,"usage":{"input_tokens":3}},"parent_tool_use_id":null,"session_id":"s-1","uuid":"u"}"#,
        #"{ "session_id" : "s-2" , "type" : "assistant" , "message" : { "content" : [ { "type" : "thinking" , "thinking" : "x" , "signature" : "y" } ] } }"#,
        #"{"type":"assistant","message":{"content":[{"type":"tool_use","id":"tu_1","name":"Bash","input":{"command":"ls","nested":[1,2.5e3,true,false,null,{"a":[]}]}}]}}"#,
        #"{"type":"user","message":{"role":"user","content":[{"tool_use_id":"tu_1","type":"tool_result","content":[{"type":"text","text":"out"}],"is_error":true}]}}"#,
        #"{"type":"user","message":{"role":"user","content":"plain string content"}}"#,
        #"{"type":"assistant","message":{"content":[],"usage":{"output_tokens":1}}}"#,
        #"{"type":"assistant","message":{"content":[]}}"#,
        #"{"type":"system","subtype":"hook_response","hook_name":"SessionStart:startup","outcome":"success"}"#,
        #"{"type":"system","subtype":"init","session_id":""}"#,
        #"{"type":"rate_limit_event","rate_limit_info":{"status":"allowed","resetsAt":1700000000}}"#,
        #"{"type":"stream_event","event":{"type":"content_block_delta"}}"#,
    ]

    @Test func agreesWithTheGeneralParser() throws {
        var fast = ClaudeStreamParser()
        var general = ClaudeStreamParser()
        for line in Self.lines {
            #expect(StreamJSONScanner.scan(line[...]) != nil, "the scanner should take \(line)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let a = fast.parse(line)
            let b = general.parse(object)
            #expect(a == b, "\(line)")
            #expect(fast.conversationID == general.conversationID && fast.lastAssistantText == general.lastAssistantText)
        }
        #expect(fast.lastAssistantText == "Hi \"there\"\n\u{e9}\u{1F600} / \\")
    }

    @Test func leavesEverythingElseToTheGeneralParser() {
        for line in [
            #"{"type":"result","subtype":"success"}"#, #"{"type":"control_request","request_id":"r","request":{}}"#,
            #"{"type":"assistant","message":{"content":[{"type":"text","text":"unterminated}]}}"#, #"{"type":"assistant"} trailing"#,
            #"{"message":{}}"#, #"{"type":"assistant","message":{"content":[{"type":"text","text":"bad \x"}]}}"#,
        ] {
            #expect(StreamJSONScanner.scan(line[...]) == nil, "\(line)")
        }
    }
}
