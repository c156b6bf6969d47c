/// The one error type that crosses room boundaries: it carries the HTTP status and the spec's
/// `{code, message}` (api.md §1.5), so the Gateway maps it without guessing.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var details: [String: String]?

    public init(status: Int, code: String, message: String, details: [String: String]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) (\(status)): \(message)" }

    // MARK: - 4xx

    public static func invalidJSON(_ message: String) -> APIError {
        APIError(status: 400, code: "invalid_json", message: message)
    }

    public static func validation(_ message: String, field: String? = nil) -> APIError {
        APIError(status: 400, code: "validation_error", message: message, details: field.map { ["field": $0] })
    }

    public static func required(_ field: String) -> APIError {
        validation("\(field) is required", field: field)
    }

    public static func invalidID(_ message: String = "id must not be empty") -> APIError {
        APIError(status: 400, code: "invalid_id", message: message)
    }

    public static let invalidCursor = APIError(
        status: 400, code: "invalid_cursor", message: "cursor is malformed; use the next_cursor value of a previous page")

    public static func notFound(_ kind: String, _ id: String) -> APIError {
        APIError(status: 404, code: "not_found", message: "\(kind) \"\(id)\" not found")
    }

    public static func invalidState(_ message: String) -> APIError {
        APIError(status: 409, code: "invalid_state", message: message)
    }

    public static func conflict(_ code: String, _ message: String) -> APIError {
        APIError(status: 409, code: code, message: message)
    }

    public static func gone(_ code: String, _ message: String) -> APIError {
        APIError(status: 410, code: code, message: message)
    }

    public static func forbidden(scope: String) -> APIError {
        APIError(status: 403, code: "forbidden", message: "Insufficient permissions: requires scope \(scope)")
    }

    public static func unauthenticated(_ code: String, _ message: String) -> APIError {
        APIError(status: 401, code: code, message: message)
    }

    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: "request body exceeds the \(limit)-byte limit")
    }

    // MARK: - 5xx

    /// Unexpected failures: the message is generic on purpose; the cause is logged, not returned.
    public static let internalError = APIError(
        status: 500, code: "internal_error", message: "internal server error; the server log has details")

    public static func serviceUnavailable(_ message: String) -> APIError {
        APIError(status: 503, code: "service_unavailable", message: message)
    }

    public static func notImplemented(_ message: String) -> APIError {
        APIError(status: 501, code: "not_implemented", message: message)
    }
}
