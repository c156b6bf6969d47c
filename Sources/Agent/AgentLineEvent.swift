/// What one stdout line of an agent CLI means (Claude Code stream-json or Codex JSONL): how to
/// log it (orchestration.md §4.1 structured log lines) and what the executor must act on.
public struct AgentLineEvent: Sendable, Equatable {
    /// `metadata.event_kind` (`text|thinking|tool_use|tool_result|system|usage|error|result`);
    /// nil for a plain (non-JSON) line.
    public var kind: String?
    public var tool: String?
    public var level: String = "info"
    public var control: ClaudeControlMessage?
    /// Set when the agent starts or resumes a conversation (Claude `system/init`, Codex
    /// `thread.started`): the id a resume takes.
    public var sessionStarted: String?
    /// With `sessionStarted`: the context snapshot that lets the next task resume it.
    public var contextSnapshot: [UInt8]?
    /// Set on the `result` line.
    public var result: ClaudeResultLine?

    public var metadata: [String: String] {
        var metadata: [String: String] = [:]
        if let kind { metadata["event_kind"] = kind }
        if let tool { metadata["tool"] = tool }
        return metadata
    }
}
