import Core
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Outermost middleware: assigns the request id, turns every error into the spec's flat
/// `{code, message}` body (never a raw internal error), and logs the request without secrets.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.requestID = Self.requestID(request.headers[.xRequestID])
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = Self.errorResponse(error, requestID: context.requestID)
        } catch let error as HTTPError {
            response = Self.errorResponse(Self.map(error), requestID: context.requestID)
            for field in error.headers { response.headers.append(field) }
        } catch {
            logger.error(
                "request failed",
                metadata: ["request_id": "\(context.requestID)", "path": "\(request.uri.path)", "error": "\(error)"])
            response = Self.errorResponse(.internalError, requestID: context.requestID)
        }
        response.headers[.xRequestID] = context.requestID
        if response.status.code == 401, response.headers[.wwwAuthenticate] == nil {
            response.headers[.wwwAuthenticate] = "Bearer realm=\"Marionette\""
        }
        let elapsed = ContinuousClock.now - started
        logger.debug(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "query": "\(Self.redactedQuery(request.uri.query))", "status": "\(response.status.code)",
                "elapsed": "\(elapsed)",
                "request_id": "\(context.requestID)",
            ])
        return response
    }

    /// Accepts an inbound id of ≤ 128 chars of `[A-Za-z0-9._-]`, else generates one.
    static func requestID(_ inbound: String?) -> String {
        if let id = inbound, !id.isEmpty, id.utf8.count <= 128,
            id.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45 })
        {
            return id
        }
        return "req_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    static func errorResponse(_ error: APIError, requestID: String) -> Response {
        var body: [String: AnyEncodableValue] = [
            "code": .string(error.code), "message": .string(error.message), "request_id": .string(requestID),
        ]
        if let details = error.details { body["details"] = .map(details) }
        let status = HTTPResponse.Status(code: error.status)
        return (try? JSONIO.response(body, status: status))
            ?? Response(status: .internalServerError)
    }

    static func map(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: return APIError(status: 404, code: "not_found", message: "no such route")
        case .methodNotAllowed: return APIError(status: 405, code: "method_not_allowed", message: "method not allowed on this route")
        case .contentTooLarge: return .payloadTooLarge(limit: JSONIO.maxBodyBytes)
        case .unsupportedMediaType: return APIError(status: 415, code: "unsupported_media_type", message: error.body ?? "unsupported media type")
        case .badRequest: return APIError(status: 400, code: "invalid_request", message: error.body ?? "bad request")
        default:
            if error.status.code >= 500 { return .internalError }
            return APIError(status: error.status.code, code: "invalid_request", message: error.body ?? error.status.reasonPhrase)
        }
    }

    /// `token`, `ticket` and `marionette_token` values never reach the logs.
    static func redactedQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        return query.split(separator: "&").map { pair -> String in
            let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            let secret = ["token", "ticket", "marionette_token", "api_key"].contains(key.lowercased())
            return secret ? "\(key)=[redacted]" : String(pair)
        }.joined(separator: "&")
    }
}

/// A tiny JSON value for ad-hoc bodies.
enum AnyEncodableValue: Encodable {
    case string(String)
    case map([String: String])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .map(let m): try container.encode(m)
        }
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-ID")!
}
