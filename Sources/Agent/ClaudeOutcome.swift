import Foundation

/// The run result of a Claude Code task from its exit status and what the stream said
/// (orchestration.md §4.2 "Outcome rules"). Kill reasons (timeout, cancel) are applied by the
/// command handler on top. Pure.
public enum ClaudeOutcome {
    public static let missingResult = "exited without emitting a result message"

    /// - Parameter stoppedAfterResult: the runner ended a CLI that lingered after its `result`
    ///   (stdin closed, no exit within the grace): the result decides, not the signal.
    public static func result(exit: ExitStatus, stream: ClaudeStreamParser, stoppedAfterResult: Bool = false)
        -> ExecutorResult
    {
        var outcome = ExecutorResult(success: false, exitCode: exit.code)
        if let conversation = stream.conversationID { outcome.contextSnapshot = contextSnapshot(conversationID: conversation) }
        guard let result = stream.result else {
            switch exit {
            case .exited(0): outcome.error = missingResult
            case .exited(let code): outcome.error = "exit code \(code)"
            case .signaled(let signal): outcome.error = "terminated by signal \(signal)"
            case .unknown: outcome.error = "exit status unknown"
            }
            if !stream.lastAssistantText.isEmpty { outcome.error += "; last output: " + String(stream.lastAssistantText.prefix(500)) }
            return outcome
        }
        outcome.tokensInput = result.tokensInput
        outcome.tokensOutput = result.tokensOutput
        outcome.costUSD = result.costUSD
        let reported = !result.isError && result.subtype == "success"
        let cleanExit = exit == .exited(0) || stoppedAfterResult
        if stoppedAfterResult { outcome.exitCode = 0 }
        if cleanExit {
            outcome.success = reported
            if !reported { outcome.error = failureText(result) }
        } else {
            outcome.error = reported ? "exit code \(exit.code)" : failureText(result)
        }
        return outcome
    }

    /// The failure text of a failing `result`.
    public static func failureText(_ result: ClaudeResultLine) -> String {
        var text: String
        switch result.subtype {
        case "error_max_turns": text = "max turns reached"
        case "error_during_execution": text = "error during execution"
        case "", "success": text = "agent reported an error"
        default: text = result.subtype
        }
        if let status = result.apiErrorStatus { text += " (API error \(status))" }
        if !result.text.isEmpty { text += ": " + result.text }
        return text
    }

    /// `{"version":1,"agent":"claude","conversation_id":"…"}`: what the next task resumes.
    public static func contextSnapshot(conversationID: String) -> [UInt8] {
        let object: [String: Any] = ["version": 1, "agent": "claude", "conversation_id": conversationID]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return [UInt8](data)
    }

    /// The conversation id of a context snapshot written by this executor (or one without an
    /// `agent` field); nil for another agent's snapshot or none.
    public static func conversationID(fromSnapshot snapshot: [UInt8]) -> String? {
        guard !snapshot.isEmpty,
            let object = (try? JSONSerialization.jsonObject(with: Data(snapshot))) as? [String: Any],
            let id = object["conversation_id"] as? String, !id.isEmpty
        else { return nil }
        if let agent = object["agent"] as? String, agent != "claude" { return nil }
        return id
    }
}
