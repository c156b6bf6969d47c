import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import Prometheus

/// `marionette_http_requests_total{method,path,status}` and
/// `marionette_http_request_duration_seconds{method,path}` (orchestration.md §12). `path` is the
/// route template (`/api/v1/tasks/{taskID}`), never a raw path, so ids never become labels.
public final class HTTPMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private struct Key: Hashable {
        let method: String
        let path: String
        let status: Int
    }
    private struct Handles {
        var counters: [Key: Counter] = [:]
        var durations: [String: DurationHistogram] = [:]
    }
    private let handles = NIOLockedValueBox(Handles())

    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func record(method: String, path: String, status: Int, duration: Duration) {
        let key = Key(method: method, path: path, status: status)
        let (counter, histogram) = handles.withLockedValue { handles -> (Counter, DurationHistogram) in
            let counter = handles.counters[key] ?? {
                let made = registry.makeCounter(
                    name: "marionette_http_requests_total",
                    labels: [("method", method), ("path", path), ("status", String(status))],
                    help: "HTTP requests served by the public and admin APIs")
                handles.counters[key] = made
                return made
            }()
            let durationKey = method + " " + path
            let histogram = handles.durations[durationKey] ?? {
                let made = registry.makeDurationHistogram(
                    name: "marionette_http_request_duration_seconds", labels: [("method", method), ("path", path)],
                    buckets: Self.buckets, help: "Time to produce the response head")
                handles.durations[durationKey] = made
                return made
            }()
            return (counter, histogram)
        }
        counter.increment()
        histogram.record(duration)
    }
}

/// Records every request of a router in ``HTTPMetrics``. Follow streams and WebSockets count when
/// their response head is produced (their duration is not the stream's length).
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.record(
                method: request.method.rawValue, path: Self.path(context), status: response.status.code,
                duration: start.duration(to: .now))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(
                method: request.method.rawValue, path: Self.path(context), status: status, duration: start.duration(to: .now))
            throw error
        }
    }

    /// The matched route's template; requests no route matched share one label value.
    static func path(_ context: Context) -> String { context.endpointPath ?? "unmatched" }
}
