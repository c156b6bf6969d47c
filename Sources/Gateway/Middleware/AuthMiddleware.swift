import Core
import HTTPTypes
import Hummingbird
import Orchestrator

/// `Authorization: Bearer mk_…` on every `/api/v1` route (api.md §1.3). `?token=` is accepted
/// only on routes a browser cannot always send headers to; the header wins when both exist.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let authenticator: APIKeyAuthenticator
    let failures: AuthFailureAuditor

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        do {
            context.principal = try await authenticator.authenticate(try Self.credential(request))
        } catch {
            if error.status == 401 {
                await failures.failed(request, context: context, actorType: "api_key", code: error.code)
            }
            throw error
        }
        return try await next(request, context)
    }

    static func credential(_ request: Request) throws(APIError) -> String {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw .unauthenticated("invalid_auth", "Authorization must be \"Bearer <API key>\"")
            }
            return String(parts[1]).trimmingSpaces()
        }
        if queryTokenAllowed(request), let token = QueryParams(request).first("token"), !token.isEmpty {
            return token
        }
        throw .unauthenticated("missing_auth", "an API key is required: send Authorization: Bearer mk_...")
    }

    /// Follow streams, WebSockets, tunnel connect, stream input and WHEP/WHIP (api.md §1.3).
    static func queryTokenAllowed(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasSuffix("/logs"), QueryParams(request).first("follow") == "true" { return true }
        return path.hasSuffix("/events") || path.hasSuffix("/stream") || path.hasSuffix("/connect")
            || path.hasSuffix("/input") || path.contains("/whep") || path.contains("/whip")
    }
}

/// HTTP Basic or Bearer master key on the admin listener (auth-security.md §5).
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let authenticator: AdminAuthenticator
    let failures: AuthFailureAuditor

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        do {
            context.adminActor = try authenticator.authenticate(authorization: request.headers[.authorization])
        } catch {
            // A browser's first request carries no credentials by design: only a wrong one is a failure.
            if request.headers[.authorization] != nil {
                await failures.failed(
                    request, context: context, actorType: "user", code: error.code)
            }
            var response = ErrorMiddleware.errorResponse(error, requestID: context.requestID)
            response.headers[.wwwAuthenticate] = "Basic realm=\"Marionette Admin\""
            return response
        }
        return try await next(request, context)
    }
}

extension AuthFailureAuditor {
    func failed(_ request: Request, context: APIContext, actorType: String, code: String) async {
        await failed(
            actorType: actorType, address: context.remoteIP, userAgent: request.headers[.userAgent],
            method: request.method.rawValue, path: request.uri.path, code: code)
    }
}

/// After ``AdminAuthMiddleware`` on the admin listener's `/api/v1` forward: the admin calls the
/// public handlers as a system principal (all scopes, every tenant).
struct SystemPrincipalMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.principal = .system(actor: context.adminActor ?? "admin")
        return try await next(request, context)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
