import Core
import Hummingbird

/// Bounds how long a handler may take to produce its response (api.md §1.7: 60 s on `/api/v1`,
/// §13.1: 30 s on the admin API), exemptions per ``RequestTimeoutPolicy``. At the deadline the
/// handler is cancelled and the client gets 503 `service_unavailable`; the handler stops at its
/// next cancellation point (store leases, sleeps and runner round trips are such points). One that
/// finishes anyway, the work done, returns its response: a late answer beats a false failure.
/// Only the time to the response head counts: a streamed body is written after this returns.
struct RequestTimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !RequestTimeoutPolicy.isExempt(path: request.uri.path, query: request.uri.query) else {
            return try await next(request, context)
        }
        let limit = self.limit
        return try await withoutActuallyEscaping(next) { next in
            // The handler runs in a child task so the deadline can interrupt it; the group awaits
            // that child before this scope ends, so `next` never outlives it.
            let handler = UncheckedHandler(call: next)
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler.call(request, context) }
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
                throw APIError.serviceUnavailable(
                    "the request did not finish within \(limit.components.seconds) s; try again later")
            }
        }
    }
}

/// Unchecked: the router's `next` closure is not Sendable, but it is called once, from the one child
/// task above, which ends before `withoutActuallyEscaping` returns.
private struct UncheckedHandler<Context: RequestContext>: @unchecked Sendable {
    let call: (Request, Context) async throws -> Response
}
