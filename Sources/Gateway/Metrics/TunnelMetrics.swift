import Fabric
import Prometheus

/// The tunnel metrics of streaming.md §9 (no id labels). Handles are made once; the byte path
/// reaches them through ``TunnelByteMeter`` in batches, never per frame.
public final class TunnelMetrics: Sendable {
    /// How a requested connection turned out (`outcome` label).
    enum Outcome: String, CaseIterable {
        /// The runner opened its stream: bytes flow.
        case opened
        /// The runner could not connect to the port in its runner.
        case dialFailed = "dial_failed"
        /// No stream within the wait (10 s).
        case timeout
        /// The runner was not connected, or answered for another tunnel.
        case refused
        /// Over the TCP tunnel's new connections a second (reset at accept).
        case rateLimited = "rate_limited"
    }

    private let active: [String: Gauge]
    private let total: [String: [Outcome: Counter]]
    let bytesIn: Counter
    let bytesOut: Counter
    let stallsIn: Counter
    let stallsOut: Counter
    private let requests: [Counter]
    private let requestDurations: [DurationHistogram]
    let openLatency: DurationHistogram
    /// Connections asked of runners on a standby stream / with `OpenTunnelConnection`.
    let askedOnStandby: Counter
    let askedByCommand: Counter

    static let types = ["http", "tcp"]
    static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10),
    ]

    init(registry: PrometheusCollectorRegistry) {
        var active: [String: Gauge] = [:]
        var total: [String: [Outcome: Counter]] = [:]
        for type in Self.types {
            active[type] = registry.makeGauge(
                name: "marionette_tunnel_connections_active", labels: [("type", type)],
                help: "Open client connections through tunnels")
            for outcome in Outcome.allCases {
                total[type, default: [:]][outcome] = registry.makeCounter(
                    name: "marionette_tunnel_connections_total", labels: [("type", type), ("outcome", outcome.rawValue)],
                    help: "Client connections through tunnels, by how the runner side turned out")
            }
        }
        self.active = active
        self.total = total
        let bytesHelp = "Bytes through tunnels: in = from clients to runners, out = back to clients"
        bytesIn = registry.makeCounter(name: "marionette_tunnel_bytes_total", labels: [("direction", "in")], help: bytesHelp)
        bytesOut = registry.makeCounter(name: "marionette_tunnel_bytes_total", labels: [("direction", "out")], help: bytesHelp)
        requests = Self.statusClasses.map {
            registry.makeCounter(
                name: "marionette_tunnel_requests_total", labels: [("status", $0)],
                help: "HTTP requests answered through tunnels, by status class")
        }
        requestDurations = Self.statusClasses.map {
            registry.makeDurationHistogram(
                name: "marionette_tunnel_request_duration_seconds", labels: [("status", $0)], buckets: Self.latencyBuckets,
                help: "HTTP tunnel requests from the request head sent to the response's end")
        }
        openLatency = registry.makeDurationHistogram(
            name: "marionette_tunnel_open_latency_seconds", buckets: Self.latencyBuckets,
            help: "A connection asked of the runner (standby stream answered, or OpenTunnelConnection sent) to the runner connected")
        let askedHelp = "Client connections asked of runners: on an idle standby stream, or with an OpenTunnelConnection command"
        let stallHelp = "Times a tunnel stream stopped until the far side made room: in = bytes to the runner waiting for "
            + "HTTP/2 window credit, out = the client not taking the runner's bytes (the stream's window fills)"
        stallsIn = registry.makeCounter(name: "marionette_tunnel_window_stalls_total", labels: [("direction", "in")], help: stallHelp)
        stallsOut = registry.makeCounter(name: "marionette_tunnel_window_stalls_total", labels: [("direction", "out")], help: stallHelp)
        askedOnStandby = registry.makeCounter(name: "marionette_tunnel_dials_total", labels: [("via", "standby")], help: askedHelp)
        askedByCommand = registry.makeCounter(name: "marionette_tunnel_dials_total", labels: [("via", "command")], help: askedHelp)
    }

    /// "http" or "tcp"; anything else counts as tcp (raw bytes).
    private static func type(_ kind: String) -> String { kind == "http" ? "http" : "tcp" }

    func connectionOpened(type kind: String) { active[Self.type(kind)]?.increment() }
    func connectionClosed(type kind: String) { active[Self.type(kind)]?.decrement() }

    func connection(type kind: String, _ outcome: Outcome) { total[Self.type(kind)]?[outcome]?.increment() }

    /// One answered request: `status` is the final status code.
    func request(status: Int, duration: Duration) {
        let index = min(max(status / 100, 1), 5) - 1
        requests[index].increment()
        requestDurations[index].record(duration)
    }

    /// The meter a tunnel stream on the server counts with: what arrives on the stream came from
    /// the runner (out, to the client); what is written to it goes in.
    var streamMeter: any TunnelByteMeter { ServerStreamMeter(metrics: self) }

    private struct ServerStreamMeter: TunnelByteMeter {
        let metrics: TunnelMetrics
        func count(received: Int, sent: Int) {
            if received > 0 { metrics.bytesOut.increment(by: Int64(received)) }
            if sent > 0 { metrics.bytesIn.increment(by: Int64(sent)) }
        }
        func stalled(sending: Bool) {
            (sending ? metrics.stallsIn : metrics.stallsOut).increment()
        }
    }
}
