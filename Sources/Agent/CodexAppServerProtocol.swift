import Foundation

/// A request the Codex app-server sends the client (orchestration.md §4.4 app-server mode).
public struct CodexServerRequest: Sendable, Equatable {
    /// The JSON-RPC id as JSON text (a number or a string), echoed in the response.
    public var idJSON: String
    public var method: String
    /// `command_execution` or `file_change` for approvals; nil for other methods (answered with an
    /// error: fail closed).
    public var approvalTool: String?
    /// The command, or the changed paths, for the action summary.
    public var action: String
    public var itemID: String
    public var paramsJSON: String
}

/// What one app-server stdout line means for the run driver.
public enum CodexAppServerMessage: Sendable, Equatable {
    case response(id: Int, result: [String: String], error: String?)
    case serverRequest(CodexServerRequest)
    case turnCompleted(status: String, error: String?)
    case other
}

/// `codex app-server` speaks JSON-RPC 2.0 shapes without the `jsonrpc` field over stdio JSONL:
/// requests `{id, method, params}`, responses `{id, result|error}`, notifications `{method,
/// params}`. This parser classifies its stdout lines for the structured log and keeps what the
/// outcome needs; the builders write the client's messages. Pure.
public struct CodexAppServerParser: AgentStreamParser {
    public private(set) var threadID: String?
    /// The turn `turn/start` began (for `turn/interrupt`).
    public private(set) var turnID: String?
    public private(set) var tokensInput: Int64 = 0
    public private(set) var cachedInputTokens: Int64 = 0
    public private(set) var tokensOutput: Int64 = 0
    public private(set) var turnStatus: String?
    public private(set) var failure: String?
    public private(set) var lastAgentMessage = ""
    /// The last line's meaning for the driver.
    public private(set) var lastMessage: CodexAppServerMessage = .other
    /// Changed paths of file-change items by item id (their approval request names only the item).
    private var fileChanges: [String: String] = [:]

    public init() {}

    public mutating func parse(_ line: Substring) -> AgentLineEvent {
        lastMessage = .other
        guard line.utf8.first == UInt8(ascii: "{"),
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        else { return AgentLineEvent(kind: nil) }
        let method = object["method"] as? String
        let params = object["params"] as? [String: Any] ?? [:]
        if let method, let id = object["id"] {
            return serverRequest(id: id, method: method, params: params)
        }
        if let method { return notification(method, params) }
        if let id = (object["id"] as? NSNumber)?.intValue {
            var result: [String: String] = [:]
            if let body = object["result"] as? [String: Any] {
                if let thread = body["thread"] as? [String: Any], let threadID = thread["id"] as? String {
                    result["thread_id"] = threadID
                    self.threadID = threadID
                }
                if let turn = body["turn"] as? [String: Any], let turnID = turn["id"] as? String {
                    result["turn_id"] = turnID
                    self.turnID = turnID
                }
            }
            let error = (object["error"] as? [String: Any])?["message"] as? String
            if let error, failure == nil { failure = error }
            lastMessage = .response(id: id, result: result, error: error)
            var event = AgentLineEvent(kind: error == nil ? "system" : "error", level: error == nil ? "info" : "error")
            if let thread = result["thread_id"] {
                event.sessionStarted = thread
                event.contextSnapshot = CodexOutcome.contextSnapshot(threadID: thread)
            }
            return event
        }
        return AgentLineEvent(kind: "system")
    }

    private mutating func serverRequest(id: Any, method: String, params: [String: Any]) -> AgentLineEvent {
        let idJSON: String
        if let number = id as? NSNumber {
            idJSON = number.stringValue
        } else {
            idJSON = "\"" + ClaudeInvocation.jsonEscaped(id as? String ?? "") + "\""
        }
        let paramsJSON =
            (try? JSONSerialization.data(withJSONObject: params, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var tool: String?
        var action = ""
        switch method {
        case "item/commandExecution/requestApproval":
            tool = "command_execution"
            if let command = params["command"] as? String {
                action = command
            } else if let parts = params["command"] as? [String] {
                action = parts.joined(separator: " ")
            }
        case "item/fileChange/requestApproval":
            tool = "file_change"
            action = fileChanges[params["itemId"] as? String ?? ""] ?? ""
            if let changes = params["changes"] as? [[String: Any]] { action = Self.summary(changes) }
        default:
            break
        }
        if action.isEmpty { action = (params["reason"] as? String) ?? String(paramsJSON.prefix(1000)) }
        lastMessage = .serverRequest(
            CodexServerRequest(
                idJSON: idJSON, method: method, approvalTool: tool, action: String(action.prefix(1000)),
                itemID: params["itemId"] as? String ?? "", paramsJSON: paramsJSON))
        return AgentLineEvent(kind: "system", tool: tool)
    }

    private mutating func notification(_ method: String, _ params: [String: Any]) -> AgentLineEvent {
        switch method {
        case "thread/started":
            if let thread = (params["thread"] as? [String: Any])?["id"] as? String { threadID = thread }
            return AgentLineEvent(kind: "system")
        case "item/started", "item/completed":
            return item(params["item"] as? [String: Any] ?? [:], completed: method == "item/completed")
        case "item/agentMessage/delta", "item/reasoning/textDelta", "item/reasoning/summaryTextDelta":
            return AgentLineEvent(kind: method.contains("reasoning") ? "thinking" : "text")
        case "item/commandExecution/outputDelta":
            return AgentLineEvent(kind: "tool_result", tool: "command_execution")
        case "thread/tokenUsage/updated":
            let usage = (params["tokenUsage"] as? [String: Any])?["last"] as? [String: Any] ?? [:]
            tokensInput += (usage["inputTokens"] as? NSNumber)?.int64Value ?? 0
            cachedInputTokens += (usage["cachedInputTokens"] as? NSNumber)?.int64Value ?? 0
            tokensOutput += (usage["outputTokens"] as? NSNumber)?.int64Value ?? 0
            return AgentLineEvent(kind: "usage")
        case "turn/completed":
            let turn = params["turn"] as? [String: Any] ?? [:]
            let status = turn["status"] as? String ?? "completed"
            let error = (turn["error"] as? [String: Any])?["message"] as? String
            turnStatus = status
            if status != "completed" { failure = error ?? "turn \(status)" }
            lastMessage = .turnCompleted(status: status, error: error)
            return AgentLineEvent(kind: status == "completed" ? "result" : "error", level: status == "completed" ? "info" : "error")
        case "error":
            failure = (params["error"] as? [String: Any])?["message"] as? String ?? "error"
            return AgentLineEvent(kind: "error", level: "error")
        default:
            return AgentLineEvent(kind: "system")
        }
    }

    private mutating func item(_ item: [String: Any], completed: Bool) -> AgentLineEvent {
        let status = item["status"] as? String ?? ""
        let failed = status == "failed" || status == "declined"
        switch item["type"] as? String ?? "" {
        case "agentMessage":
            if completed, let text = item["text"] as? String { lastAgentMessage = text }
            return AgentLineEvent(kind: "text")
        case "reasoning": return AgentLineEvent(kind: "thinking")
        case "commandExecution":
            return AgentLineEvent(kind: completed ? "tool_result" : "tool_use", tool: "command_execution", level: completed && failed ? "error" : "info")
        case "fileChange":
            if let id = item["id"] as? String, let changes = item["changes"] as? [[String: Any]] { fileChanges[id] = Self.summary(changes) }
            return AgentLineEvent(kind: completed ? "tool_result" : "tool_use", tool: "file_change", level: completed && failed ? "error" : "info")
        case "mcpToolCall":
            let tool = "mcp__" + (item["server"] as? String ?? "") + "__" + (item["tool"] as? String ?? "")
            return AgentLineEvent(kind: completed ? "tool_result" : "tool_use", tool: tool, level: completed && failed ? "error" : "info")
        default:
            return AgentLineEvent(kind: "system")
        }
    }

    /// `add /w/a.txt, update /w/b.txt`.
    static func summary(_ changes: [[String: Any]]) -> String {
        changes.compactMap { change in
            let kind = (change["kind"] as? String) ?? ((change["kind"] as? [String: Any])?["type"] as? String)
            return (change["path"] as? String).map { (kind.map { $0 + " " } ?? "") + $0 }
        }.joined(separator: ", ")
    }

    // MARK: Client messages

    public static func initialize(id: Int) -> String {
        #"{"id":\#(id),"method":"initialize","params":{"clientInfo":{"name":"marionette","title":"Marionette","version":"\#(AgentBuildInfo.version)"}}}"#
    }

    public static let initialized = #"{"method":"initialized"}"#

    public static func threadStart(id: Int, cwd: String, model: String, sandbox: String) -> String {
        var params = #""cwd":""# + ClaudeInvocation.jsonEscaped(cwd) + #"","sandbox":""# + ClaudeInvocation.jsonEscaped(sandbox)
            + #"","approvalPolicy":"on-request""#
        if !model.isEmpty { params += #","model":""# + ClaudeInvocation.jsonEscaped(model) + "\"" }
        return #"{"id":\#(id),"method":"thread/start","params":{"# + params + "}}"
    }

    public static func threadResume(id: Int, threadID: String) -> String {
        #"{"id":\#(id),"method":"thread/resume","params":{"threadId":""# + ClaudeInvocation.jsonEscaped(threadID) + #""}}"#
    }

    public static func turnStart(id: Int, threadID: String, prompt: String) -> String {
        #"{"id":\#(id),"method":"turn/start","params":{"threadId":""# + ClaudeInvocation.jsonEscaped(threadID)
            + #"","input":[{"type":"text","text":""# + ClaudeInvocation.jsonEscaped(prompt) + #""}]}}"#
    }

    public static func turnInterrupt(id: Int, threadID: String, turnID: String) -> String {
        #"{"id":\#(id),"method":"turn/interrupt","params":{"threadId":""# + ClaudeInvocation.jsonEscaped(threadID)
            + #"","turnId":""# + ClaudeInvocation.jsonEscaped(turnID) + #""}}"#
    }

    /// `accept`, `decline` or `cancel`.
    public static func approvalResponse(idJSON: String, decision: String) -> String {
        #"{"id":"# + idJSON + #","result":{"decision":""# + decision + #""}}"#
    }

    /// Requests the runner does not handle are refused (fail closed).
    public static func errorResponse(idJSON: String, method: String) -> String {
        #"{"id":"# + idJSON + #","error":{"code":-32601,"message":"marionette does not handle "#
            + ClaudeInvocation.jsonEscaped(method) + #""}}"#
    }
}

extension CodexOutcome {
    /// App-server mode: success = the turn completed and the process exited cleanly (or was
    /// ended by the runner after the turn).
    public static func result(exit: ExitStatus, appServer stream: CodexAppServerParser, stoppedAfterTurn: Bool) -> ExecutorResult {
        var outcome = ExecutorResult(success: false, exitCode: stoppedAfterTurn ? 0 : exit.code)
        outcome.tokensInput = stream.tokensInput
        outcome.tokensCachedInput = stream.cachedInputTokens
        outcome.tokensOutput = stream.tokensOutput
        if let thread = stream.threadID { outcome.contextSnapshot = contextSnapshot(threadID: thread) }
        if stream.turnStatus == "completed", exit == .exited(0) || stoppedAfterTurn {
            outcome.success = true
            return outcome
        }
        if let failure = stream.failure {
            outcome.error = failure
        } else if stream.turnStatus == "completed" {
            outcome.error = "exit code \(exit.code)"
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
}
