import Foundation

/// `output: auto` of the `custom` agent (orchestration.md §4.5): lines in Claude Code stream-json
/// or Codex JSONL shape are parsed as those agents' events; anything else is plain text. Pure.
public struct CustomAgentOutput: AgentStreamParser {
    public private(set) var claude = ClaudeStreamParser()
    public private(set) var codex = CodexEventParser()
    /// `output: text`: every line is plain text.
    public var plainText: Bool

    public init(plainText: Bool = false) {
        self.plainText = plainText
    }

    static let claudeTypes: Set<String> = [
        "system", "assistant", "user", "result", "control_request", "control_response", "control_cancel_request",
        "rate_limit_event", "stream_event",
    ]

    public mutating func parse(_ line: Substring) -> AgentLineEvent {
        guard !plainText, line.utf8.first == UInt8(ascii: "{"),
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
            let type = object["type"] as? String
        else { return AgentLineEvent(kind: nil) }
        if Self.claudeTypes.contains(type) {
            var event = claude.parse(object)
            event.control = nil  // a custom agent has no control channel
            return event
        }
        if CodexEventParser.isCodexEvent(type) || type == "error" { return codex.parse(object) }
        return AgentLineEvent(kind: nil)
    }

    /// Exit code decides unless a parsed `result` (Claude shape) or turn end (Codex shape) says
    /// otherwise.
    public static func result(exit: ExitStatus, output: CustomAgentOutput) -> ExecutorResult {
        if output.claude.result != nil { return ClaudeOutcome.result(exit: exit, stream: output.claude) }
        if output.codex.turnCompleted || output.codex.failure != nil { return CodexOutcome.result(exit: exit, stream: output.codex) }
        var outcome = ExecutorResult(success: exit == .exited(0), exitCode: exit.code)
        if let conversation = output.claude.conversationID {
            outcome.contextSnapshot = ClaudeOutcome.contextSnapshot(conversationID: conversation)
        } else if let thread = output.codex.threadID {
            outcome.contextSnapshot = CodexOutcome.contextSnapshot(threadID: thread)
        }
        switch exit {
        case .exited(0): break
        case .exited(let code): outcome.error = "exit code \(code)"
        case .signaled(let signal): outcome.error = "terminated by signal \(signal)"
        case .unknown: outcome.error = "exit status unknown"
        }
        return outcome
    }
}
