/// A syntax error in an SDP document or in one of its typed attributes.
///
/// The message names the offending line (1-based number and its text) so that a
/// `400 invalid_sdp` response can tell the client exactly what was rejected.
public struct SDPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number in the parsed text; 0 when the error is not tied to a line
    /// (for example when a typed attribute value is parsed on its own).
    public var lineNumber: Int
    /// The offending line as received (without the line terminator).
    public var line: String
    /// What is wrong with it.
    public var reason: String

    public init(lineNumber: Int = 0, line: String = "", reason: String) {
        self.lineNumber = lineNumber
        self.line = line
        self.reason = reason
    }

    /// Human-readable message, e.g. `line 7 "a=rtpmap:x VP8/90000": invalid payload type`.
    public var message: String {
        if lineNumber > 0 {
            return "line \(lineNumber) \"\(SDPText.truncated(line))\": \(reason)"
        }
        if !line.isEmpty {
            return "\"\(SDPText.truncated(line))\": \(reason)"
        }
        return reason
    }

    public var description: String { message }

    /// The same error attached to a line of the document.
    func located(lineNumber: Int, line: String) -> SDPParseError {
        SDPParseError(lineNumber: lineNumber, line: line, reason: reason)
    }
}
