import Client
import Foundation

/// A runtime error with a ready message (`Error: <message>`, exit 1).
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

enum ErrorText {
    /// The text after `Error: ` for any error.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as CLIError: return error.message
        case let error as APIError: return error.description
        case let error as ClientError: return error.description
        case let error as ConfigError: return error.description
        case let error as DurationParseError: return error.description
        case let error as LabelParseError: return error.description
        case let error as TaskWaitTimeout: return error.description
        case let error as any CustomStringConvertible: return error.description
        default: return (error as NSError).localizedDescription
        }
    }
}

/// Runs `body`, rewriting a 404 into `<kind> "<id>" not found`.
func notFound<T>(_ kind: String, _ id: String, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as APIError where error.isNotFound {
        throw CLIError("\(kind) \"\(id)\" not found")
    }
}
