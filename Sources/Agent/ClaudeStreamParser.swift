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
        guard line.utf8.first == UInt8(ascii: "{") else { return AgentLineEvent(kind: nil) }
        // The common lines (messages, system events) without building the whole object.
        if let scanned = StreamJSONScanner.scan(line) { return parse(scanned) }
        guard
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        else { return AgentLineEvent(kind: nil) }
        return parse(object)
    }

    public mutating func parse(_ line: String) -> AgentLineEvent { parse(line[...]) }

    private mutating func parse(_ line: StreamJSONScanner.Line) -> AgentLineEvent {
        if let session = line.sessionID, !session.isEmpty { conversationID = session }
        switch line.type {
        case "system": return system(subtype: line.subtype, sessionID: line.sessionID)
        case "assistant": return assistant(line.blocks, hasUsage: line.hasUsage)
        case "user": return user(line.blocks)
        default: return AgentLineEvent(kind: "system")
        }
    }

    mutating func parse(_ object: [String: Any]) -> AgentLineEvent {
        if let session = object["session_id"] as? String, !session.isEmpty { conversationID = session }
        let type = object["type"] as? String ?? ""
        switch type {
        case "system":
            return system(subtype: object["subtype"] as? String, sessionID: object["session_id"] as? String)
        case "assistant":
            let message = object["message"] as? [String: Any] ?? [:]
            return assistant(Self.blocks(message), hasUsage: message["usage"] != nil)
        case "user":
            return user(Self.blocks(object["message"] as? [String: Any] ?? [:]))
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

    private func system(subtype: String?, sessionID: String?) -> AgentLineEvent {
        var event = AgentLineEvent(kind: "system")
        if subtype == "init", let session = sessionID, !session.isEmpty {
            event.sessionStarted = session
            event.contextSnapshot = ClaudeOutcome.contextSnapshot(conversationID: session)
        }
        return event
    }

    /// The content blocks of a message decoded by the general parser, in the scanner's shape.
    static func blocks(_ message: [String: Any]) -> [StreamJSONScanner.Block] {
        (message["content"] as? [[String: Any]] ?? []).map { block in
            StreamJSONScanner.Block(
                type: block["type"] as? String ?? "", name: block["name"] as? String, id: block["id"] as? String,
                toolUseID: block["tool_use_id"] as? String, isError: block["is_error"] as? Bool ?? false,
                text: block["text"] as? String)
        }
    }

    private mutating func assistant(_ blocks: [StreamJSONScanner.Block], hasUsage: Bool) -> AgentLineEvent {
        var texts: [String] = []
        var firstTool: String?
        var sawThinking = false
        for block in blocks {
            switch block.type {
            case "text":
                if let text = block.text { texts.append(text) }
            case "thinking", "redacted_thinking":
                sawThinking = true
            case "tool_use":
                let name = block.name ?? ""
                if let id = block.id { toolNames[id] = name }
                if firstTool == nil { firstTool = name }
            default:
                break
            }
        }
        if !texts.isEmpty { lastAssistantText = texts.joined(separator: "\n") }
        if let firstTool { return AgentLineEvent(kind: "tool_use", tool: firstTool) }
        if !texts.isEmpty { return AgentLineEvent(kind: "text") }
        if sawThinking { return AgentLineEvent(kind: "thinking") }
        return AgentLineEvent(kind: hasUsage ? "usage" : "system")
    }

    private func user(_ blocks: [StreamJSONScanner.Block]) -> AgentLineEvent {
        for block in blocks where block.type == "tool_result" {
            let id = block.toolUseID ?? ""
            return AgentLineEvent(kind: "tool_result", tool: toolNames[id], level: block.isError ? "error" : "info")
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
