import Core
import Hummingbird

/// The credential of a WebSocket upgrade: the `Authorization` header, else `?token=` (browsers
/// cannot set headers on WebSocket requests, api.md §1).
enum WebSocketCredential {
    static func from(_ request: Request, missing: String) throws -> String {
        if request.headers[.authorization] != nil { return try APIKeyMiddleware.credential(request) }
        if let query = QueryParams(request).first("token"), !query.isEmpty { return query }
        throw APIError.unauthenticated("missing_auth", missing)
    }
}
