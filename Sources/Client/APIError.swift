/// A non-2xx answer from the server, decoded from the flat error body
/// `{"code", "message", "details"?, "request_id"?}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String
    public let requestID: String?
    public let details: JSONValue?

    public init(status: Int, code: String, message: String, requestID: String? = nil, details: JSONValue? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.details = details
    }

    /// `<message> (<code>)`, the CLI rendering of API errors.
    public var description: String { "\(message) (\(code))" }

    public var isNotFound: Bool { status == 404 }

    /// Builds the error from a response status and body; bodies that are not
    /// the JSON error object fall back to `http_<status>` and the body text.
    public static func from(status: Int, reason: String, body: [UInt8]) -> APIError {
        if let value = try? JSONParser.parse(body), let code = value["code"]?.stringValue {
            return APIError(
                status: status,
                code: code,
                message: value["message"]?.stringValue ?? reason,
                requestID: value["request_id"]?.stringValue,
                details: value["details"]
            )
        }
        var text = String(decoding: body.prefix(512), as: UTF8.self).trimmingSpaces()
        if text.isEmpty || text.hasPrefix("<") { text = reason.isEmpty ? "HTTP \(status)" : reason }
        return APIError(status: status, code: "http_\(status)", message: text)
    }
}

/// Failures before an API answer arrived.
public enum ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached (refused, unresolvable, reset).
    case connectionFailed(server: String, reason: String)
    /// No complete answer within the request timeout.
    case timedOut(server: String, seconds: Double)
    case invalidURL(String)
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .connectionFailed(let server, let reason):
            return "cannot connect to the Marionette server at \(server): \(reason)"
        case .timedOut(let server, let seconds):
            let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            return "request to \(server) timed out after \(shown)s"
        case .invalidURL(let url):
            return "invalid server URL \"\(url)\""
        case .invalidResponse(let reason):
            return "invalid response from the server: \(reason)"
        }
    }
}
