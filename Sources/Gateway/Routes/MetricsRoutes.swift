import Hummingbird
import NIOCore

/// `GET /metrics` on the admin listener: Prometheus text (orchestration.md §12). Unauthenticated,
/// as scrapers expect; the admin listener stays on loopback unless configured otherwise.
enum MetricsRoutes {
    static func register(
        _ table: inout RouteTable, _ router: Router<APIContext>, _ s: GatewayServices, path: String = "/metrics"
    ) {
        table.add(router, .get, path) { _, _ in
            let text = await s.metrics.exposition(s)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }
}
