import Core
import Hummingbird

/// Bounds how long a route handler may take to produce its response (api.md §1.7: 60 s on
/// `/api/v1`, §13.1: 30 s on the admin API), exemptions per ``RequestTimeoutPolicy``. `RouteTable`
/// wraps every handler it registers. At the deadline the handler is cancelled and the client gets
/// 503 `service_unavailable`; the handler stops at its next await that honours cancellation. One
/// that finishes anyway, the work done, returns its response: a late answer beats a false failure.
/// Only the time to the response head counts: a streamed body is written after this returns.
/// (A handler, unlike a middleware's `next`, escapes: it can run in a child task of its own.)
enum RequestTimeout {
    typealias Handler<Context> = @Sendable (Request, Context) async throws -> Response

    static func bounded<Context: RequestContext>(_ handler: @escaping Handler<Context>, limit: Duration) -> Handler<Context> {
        { request, context in
            guard !RequestTimeoutPolicy.isExempt(path: request.uri.path, query: request.uri.query) else {
                return try await handler(request, context)
            }
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler(request, context) }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return nil
                }
                if let response = try await group.next() ?? nil {
                    group.cancelAll()
                    return response
                }
                group.cancelAll()
                if let late = try? await group.next(), let response = late { return response }
                throw APIError.serviceUnavailable("the request did not finish within \(limit.components.seconds) s; try again later")
            }
        }
    }
}
