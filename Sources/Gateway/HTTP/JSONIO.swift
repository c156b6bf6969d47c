import Core
import Foundation
import Hummingbird
import NIOCore

/// JSON in and out with the error mapping of api.md §1.2: undecodable → `invalid_json`, a known
/// field of the wrong type → `validation_error` naming it, > 1 MiB → 413.
enum JSONIO {
    static let maxBodyBytes = 1 << 20

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let buffer = try StreamingJSONEncoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    static func noContent() -> Response { Response(status: .noContent) }

    /// Reads the whole body up to the limit.
    static func body(_ request: Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError.payloadTooLarge(limit: maxBodyBytes)
        }
        var request = request
        do {
            return try await request.collectBody(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: maxBodyBytes)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        // The content type is not checked: `curl -d` sends form encoding by default, and the body
        // decides (undecodable → invalid_json).
        let buffer = try await body(request)
        guard buffer.readableBytes > 0 else { throw APIError.invalidJSON("request body is empty; send a JSON object") }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    /// For routes whose body is optional: an empty body decodes as nil.
    static func decodeOptional<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T? {
        let buffer = try await body(request)
        guard buffer.readableBytesView.contains(where: { $0 != 32 && $0 != 10 && $0 != 13 && $0 != 9 }) else {
            return nil
        }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw map(error)
        }
    }

    static func map(_ error: DecodingError) -> APIError {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            if context.codingPath.isEmpty { return .invalidJSON("request body must be a JSON object") }
            let name = field(context.codingPath)
            return .validation("\(name) must be \(describe(type))", field: name)
        case .keyNotFound(let key, let context):
            let name = field(context.codingPath + [key])
            return .required(name)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .invalidJSON("request body is not valid JSON") }
            let name = field(context.codingPath)
            return .validation("\(name) is invalid: \(context.debugDescription)", field: name)
        @unknown default:
            return .invalidJSON("request body could not be decoded")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Bool.Type: return "a boolean (true or false)"
        case is Double.Type: return "a number"
        case is [String].Type: return "an array of strings"
        case is [String: String].Type: return "an object of string values"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "of type \(name)"
        }
    }
}
