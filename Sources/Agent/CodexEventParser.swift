import Foundation

/// Reads `codex exec --json` stdout, one JSONL event per line (orchestration.md §4.4): classifies
/// each line for the structured log and keeps what the outcome needs (thread id, usage, failure,
/// last agent message). Pure: unknown fields ignored, unknown types logged as `system`.
public struct CodexEventParser: Sendable {
    /// `thread.started.thread_id`: what `codex exec resume` takes.
    public private(set) var threadID: String?
    public private(set) var turnCompleted = false
    public private(set) var tokensInput: Int64 = 0
    public private(set) var cachedInputTokens: Int64 = 0
    public private(set) var tokensOutput: Int64 = 0
    /// `turn.failed.error.message`, else the last `error.message`.
    public private(set) var failure: String?
    public private(set) var lastAgentMessage = ""

    public init() {}

    /// The event types this parser knows (used by the `custom` agent to recognise the shape).
    public static func isCodexEvent(_ type: String) -> Bool {
        type.hasPrefix("thread.") || type.hasPrefix("turn.") || type.hasPrefix("item.") || type == "request_user_input"
    }

    public mutating func parse(_ line: Substring) -> AgentLineEvent {
        guard line.utf8.first == UInt8(ascii: "{"),
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        else { return AgentLineEvent(kind: nil) }
        return parse(object)
    }

    public mutating func parse(_ line: String) -> AgentLineEvent { parse(line[...]) }

    mutating func parse(_ object: [String: Any]) -> AgentLineEvent {
        let type = object["type"] as? String ?? ""
        switch type {
        case "thread.started":
            var event = AgentLineEvent(kind: "system")
            if let thread = object["thread_id"] as? String, !thread.isEmpty {
                threadID = thread
                event.sessionStarted = thread
                event.contextSnapshot = CodexOutcome.contextSnapshot(threadID: thread)
            }
            return event
        case "turn.completed":
            turnCompleted = true
            let usage = object["usage"] as? [String: Any] ?? [:]
            func int(_ key: String) -> Int64 { (usage[key] as? NSNumber)?.int64Value ?? 0 }
            tokensInput += int("input_tokens")
            cachedInputTokens += int("cached_input_tokens")
            tokensOutput += int("output_tokens")
            return AgentLineEvent(kind: "usage")
        case "turn.failed":
            let error = object["error"] as? [String: Any] ?? [:]
            failure = error["message"] as? String ?? "turn failed"
            return AgentLineEvent(kind: "error", level: "error")
        case "error":
            let message = object["message"] as? String ?? "error"
            if failure == nil || !turnCompleted { failure = message }
            return AgentLineEvent(kind: "error", level: "error")
        case "item.started", "item.updated", "item.completed":
            return item(object["item"] as? [String: Any] ?? [:], completed: type == "item.completed")
        default:
            // turn.started, item.plan.delta, request_user_input and anything newer.
            return AgentLineEvent(kind: "system")
        }
    }

    private mutating func item(_ item: [String: Any], completed: Bool) -> AgentLineEvent {
        switch item["type"] as? String ?? "" {
        case "agent_message":
            if completed, let text = item["text"] as? String { lastAgentMessage = text }
            return AgentLineEvent(kind: "text")
        case "reasoning":
            return AgentLineEvent(kind: "thinking")
        case "command_execution":
            let failed = ["failed", "declined"].contains(item["status"] as? String ?? "")
                || ((item["exit_code"] as? NSNumber).map { $0.intValue != 0 } ?? false)
            return AgentLineEvent(
                kind: completed ? "tool_result" : "tool_use", tool: "command_execution", level: completed && failed ? "error" : "info")
        case "file_change":
            let failed = ["failed", "declined"].contains(item["status"] as? String ?? "")
            return AgentLineEvent(kind: completed ? "tool_result" : "tool_use", tool: "file_change", level: failed ? "error" : "info")
        case "mcp_tool_call":
            let tool = "mcp__" + (item["server"] as? String ?? "") + "__" + (item["tool"] as? String ?? "")
            let failed = item["error"] != nil && !(item["error"] is NSNull)
            return AgentLineEvent(kind: completed ? "tool_result" : "tool_use", tool: tool, level: completed && failed ? "error" : "info")
        case "web_search":
            return AgentLineEvent(kind: completed ? "tool_result" : "tool_use", tool: "web_search")
        case "error":
            return AgentLineEvent(kind: "error", level: "warn")  // non-fatal
        default:
            // plan, todo_list and item types newer than this parser.
            return AgentLineEvent(kind: "system")
        }
    }
}

/// The run result of a Codex task (orchestration.md §4.4 "Outcome"). Pure.
public enum CodexOutcome {
    public static let missingCompletion = "exited without completing the turn"

    public static func result(exit: ExitStatus, stream: CodexEventParser) -> ExecutorResult {
        var outcome = ExecutorResult(success: false, exitCode: exit.code)
        outcome.tokensInput = stream.tokensInput
        outcome.tokensCachedInput = stream.cachedInputTokens
        outcome.tokensOutput = stream.tokensOutput
        if let thread = stream.threadID { outcome.contextSnapshot = contextSnapshot(threadID: thread) }
        if stream.turnCompleted, exit == .exited(0) {
            outcome.success = true
            return outcome
        }
        if let failure = stream.failure {
            outcome.error = failure
        } else {
            switch exit {
            case .exited(0): outcome.error = missingCompletion
            case .exited(let code): outcome.error = "exit code \(code)"
            case .signaled(let signal): outcome.error = "terminated by signal \(signal)"
            case .unknown: outcome.error = "exit status unknown"
            }
        }
        return outcome
    }

    /// `{"version":1,"agent":"codex","conversation_id":"<thread id>"}`.
    public static func contextSnapshot(threadID: String) -> [UInt8] {
        let object: [String: Any] = ["version": 1, "agent": "codex", "conversation_id": threadID]
        return [UInt8]((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    /// The thread id of a snapshot this executor wrote; nil for another agent's or none.
    public static func threadID(fromSnapshot snapshot: [UInt8]) -> String? {
        guard !snapshot.isEmpty,
            let object = (try? JSONSerialization.jsonObject(with: Data(snapshot))) as? [String: Any],
            object["agent"] as? String == "codex", let id = object["conversation_id"] as? String, !id.isEmpty
        else { return nil }
        return id
    }
}
