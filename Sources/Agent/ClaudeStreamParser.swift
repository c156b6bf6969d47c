import Foundation

/// A `can_use_tool` control request of the stdio permission transport (orchestration.md §4.3).
public struct ClaudeToolPermissionAsk: Sendable, Equatable {
    /// The control request's id, echoed in the `control_response`.
    public var requestID: String
    public var toolUseID: String
    public var tool: String
    /// The tool input as the CLI sent it (compact JSON), returned as `updatedInput` on allow.
    public var inputJSON: String
    /// Top-level string (and number) fields of the input, for the action summary.
    public var inputFields: [String: String]
}

/// Control messages the CLI writes on stdout.
public enum ClaudeControlMessage: Sendable, Equatable {
    case canUseTool(ClaudeToolPermissionAsk)
    /// The answer to a control request the runner sent (`initialize`).
    case response(requestID: String, success: Bool)
    /// The CLI withdraws a question it asked.
    case cancel(requestID: String)
    /// A control request subtype the runner does not implement (answered with an error).
    case unsupported(requestID: String, subtype: String)
}

/// The final `result` line.
public struct ClaudeResultLine: Sendable, Equatable {
    public var subtype: String
    public var isError: Bool
    public var text: String
    public var apiErrorStatus: String?
    public var numTurns: Int
    public var tokensInput: Int64
    public var tokensOutput: Int64
    public var costUSD: Double
}

/// Reads `claude -p --output-format stream-json --verbose` stdout, one line at a time
/// (orchestration.md §4.2): classifies every line for the structured log, picks out control
/// requests, and keeps what the outcome needs (conversation id, result, last assistant text).
/// Pure: no I/O, unknown fields ignored, unknown types logged as `system`, never fails.
public struct ClaudeStreamParser: Sendable {
    /// Last `session_id` seen.
    public private(set) var conversationID: String?
    public private(set) var result: ClaudeResultLine?
    /// Text blocks of the last assistant message that had text (the final answer when `result`
    /// is missing).
    public private(set) var lastAssistantText: String = ""
    /// Tool names by `tool_use` id, so a `tool_result` line can name its tool.
    private var toolNames: [String: String] = [:]

    public init() {}

    public mutating func parse(_ line: Substring) -> AgentLineEvent {
        guard line.utf8.first == UInt8(ascii: "{"),
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        else { return AgentLineEvent(kind: nil) }
        return parse(object)
    }

    public mutating func parse(_ line: String) -> AgentLineEvent { parse(line[...]) }

    mutating func parse(_ object: [String: Any]) -> AgentLineEvent {
        if let session = object["session_id"] as? String, !session.isEmpty { conversationID = session }
        let type = object["type"] as? String ?? ""
        switch type {
        case "system":
            var event = AgentLineEvent(kind: "system")
            if object["subtype"] as? String == "init", let session = object["session_id"] as? String, !session.isEmpty {
                event.sessionStarted = session
                event.contextSnapshot = ClaudeOutcome.contextSnapshot(conversationID: session)
            }
            return event
        case "assistant":
            return assistant(object["message"] as? [String: Any] ?? [:])
        case "user":
            return user(object["message"] as? [String: Any] ?? [:])
        case "result":
            let parsed = Self.resultLine(object)
            result = parsed
            let failed = parsed.isError || parsed.subtype != "success"
            return AgentLineEvent(kind: "result", level: failed ? "error" : "info", result: parsed)
        case "control_request":
            return AgentLineEvent(kind: "system", control: Self.controlRequest(object))
        case "control_response":
            let response = object["response"] as? [String: Any] ?? [:]
            return AgentLineEvent(
                kind: "system",
                control: .response(
                    requestID: response["request_id"] as? String ?? "", success: response["subtype"] as? String == "success"))
        case "control_cancel_request":
            return AgentLineEvent(kind: "system", control: .cancel(requestID: object["request_id"] as? String ?? ""))
        case "error":
            return AgentLineEvent(kind: "error", level: "error")
        default:
            // rate_limit_event, stream_event and anything newer.
            return AgentLineEvent(kind: "system")
        }
    }

    private mutating func assistant(_ message: [String: Any]) -> AgentLineEvent {
        let blocks = message["content"] as? [[String: Any]] ?? []
        var texts: [String] = []
        var firstTool: String?
        var sawThinking = false
        for block in blocks {
            switch block["type"] as? String {
            case "text":
                if let text = block["text"] as? String { texts.append(text) }
            case "thinking", "redacted_thinking":
                sawThinking = true
            case "tool_use":
                let name = block["name"] as? String ?? ""
                if let id = block["id"] as? String { toolNames[id] = name }
                if firstTool == nil { firstTool = name }
            default:
                break
            }
        }
        if !texts.isEmpty { lastAssistantText = texts.joined(separator: "\n") }
        if let firstTool { return AgentLineEvent(kind: "tool_use", tool: firstTool) }
        if !texts.isEmpty { return AgentLineEvent(kind: "text") }
        if sawThinking { return AgentLineEvent(kind: "thinking") }
        return AgentLineEvent(kind: message["usage"] != nil ? "usage" : "system")
    }

    private func user(_ message: [String: Any]) -> AgentLineEvent {
        let blocks = message["content"] as? [[String: Any]] ?? []
        for block in blocks where block["type"] as? String == "tool_result" {
            let id = block["tool_use_id"] as? String ?? ""
            let failed = block["is_error"] as? Bool ?? false
            return AgentLineEvent(kind: "tool_result", tool: toolNames[id], level: failed ? "error" : "info")
        }
        // A user text echo (e.g. replayed input): part of the conversation.
        return AgentLineEvent(kind: "text")
    }

    static func resultLine(_ object: [String: Any]) -> ClaudeResultLine {
        let usage = object["usage"] as? [String: Any] ?? [:]
        func int(_ key: String) -> Int64 { (usage[key] as? NSNumber)?.int64Value ?? 0 }
        var status: String?
        if let number = object["api_error_status"] as? NSNumber {
            status = number.stringValue
        } else if let text = object["api_error_status"] as? String {
            status = text
        }
        return ClaudeResultLine(
            subtype: object["subtype"] as? String ?? "",
            isError: object["is_error"] as? Bool ?? false,
            text: object["result"] as? String ?? "",
            apiErrorStatus: status,
            numTurns: (object["num_turns"] as? NSNumber)?.intValue ?? 0,
            tokensInput: int("input_tokens") + int("cache_creation_input_tokens") + int("cache_read_input_tokens"),
            tokensOutput: int("output_tokens"),
            costUSD: (object["total_cost_usd"] as? NSNumber)?.doubleValue ?? 0)
    }

    static func controlRequest(_ object: [String: Any]) -> ClaudeControlMessage {
        let requestID = object["request_id"] as? String ?? ""
        let request = object["request"] as? [String: Any] ?? [:]
        let subtype = request["subtype"] as? String ?? ""
        guard subtype == "can_use_tool" else { return .unsupported(requestID: requestID, subtype: subtype) }
        let input = request["input"] as? [String: Any] ?? [:]
        var fields: [String: String] = [:]
        for (key, value) in input {
            if let text = value as? String {
                fields[key] = text
            } else if let number = value as? NSNumber {
                fields[key] = number.stringValue
            }
        }
        let inputJSON =
            (try? JSONSerialization.data(withJSONObject: input, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return .canUseTool(
            ClaudeToolPermissionAsk(
                requestID: requestID, toolUseID: request["tool_use_id"] as? String ?? "",
                tool: request["tool_name"] as? String ?? "", inputJSON: inputJSON, inputFields: fields))
    }
}
