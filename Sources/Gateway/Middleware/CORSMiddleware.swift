import HTTPTypes
import Hummingbird

/// CORS for the API (api.md §1.7). Origins may end in `:*` to allow any port of a host.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let origins: [String]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let origin = request.headers[.origin], Self.allowed(origin, patterns: origins) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Accept, Authorization, Content-Type, If-Match, X-Request-ID"
            response.headers[.accessControlMaxAge] = "300"
            decorate(&response, origin: origin)
            return response
        }
        var response = try await next(request, context)
        decorate(&response, origin: origin)
        return response
    }

    private func decorate(_ response: inout Response, origin: String) {
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers[.accessControlExposeHeaders] = "X-Request-ID, Location, ETag, Link"
        response.headers.append(HTTPField(name: .vary, value: "Origin"))
    }

    static func allowed(_ origin: String, patterns: [String]) -> Bool {
        for pattern in patterns {
            if pattern == "*" || pattern == origin { return true }
            if pattern.hasSuffix(":*") {
                let base = pattern.dropLast(2)
                if origin.hasPrefix(base + ":"), let port = Int(origin.dropFirst(base.count + 1)), port > 0 {
                    return true
                }
                if origin == base { return true }
            }
        }
        return false
    }
}
