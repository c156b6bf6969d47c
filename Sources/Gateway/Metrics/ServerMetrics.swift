import Foundation
import NIOConcurrencyHelpers
import Orchestrator
import Prometheus
import SFU

/// Every metric of the server in one Prometheus registry (namespace `marionette`, no id labels),
/// served as text at `GET /metrics` on the admin listener. Counters on hot paths are incremented
/// where things happen; gauges and the SFU's own counters are read when scraped.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let tunnels: TunnelMetrics
    let http: HTTPMetrics
    public let orchestrator: any OrchestratorMetrics

    private let runnersConnected: Gauge
    private let permissionsPending: Gauge
    private let logFollowStreams: Gauge
    private let tunnelsActive: Gauge
    private let sfuViewers: Gauge
    private let sfuPublishers: Gauge
    /// SFU totals exported as counters: the SFU keeps its own counters, the scrape adds the delta.
    private let sfuCounters: [(read: @Sendable (SFUCounters) -> UInt64, counter: Counter)]
    /// The SFU values already added to `sfuCounters`, in the same order.
    private let exported: NIOLockedValueBox<[UInt64]>
    /// How to count connected runners; set once the hub exists (`ServerRuntime`).
    private let runnerCount = NIOLockedValueBox<(@Sendable () async -> Int)?>(nil)

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        tunnels = TunnelMetrics(registry: registry)
        http = HTTPMetrics(registry: registry)
        orchestrator = PrometheusOrchestratorMetrics(registry: registry)
        runnersConnected = registry.makeGauge(
            name: "marionette_runners_connected", labels: [("status", "connected")],
            help: "Runners with an open control stream")
        permissionsPending = registry.makeGauge(
            name: "marionette_permission_requests_pending", help: "Permission requests waiting for an answer")
        logFollowStreams = registry.makeGauge(name: "marionette_log_follow_streams", help: "Live log followers")
        tunnelsActive = registry.makeGauge(
            name: "marionette_tunnels_active", help: "Tunnels with open client connections on this server")
        sfuViewers = registry.makeGauge(name: "marionette_sfu_viewers", help: "WHEP viewers connected")
        sfuPublishers = registry.makeGauge(name: "marionette_sfu_publishers", help: "WHIP publishers and runner sources")
        func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
            registry.makeCounter(name: name, labels: labels, help: help)
        }
        let sfu: [(read: @Sendable (SFUCounters) -> UInt64, counter: Counter)] = [
            ({ $0.packetsSent }, counter("marionette_sfu_packets_sent_total", "RTP packets sent to viewers, retransmissions included", [("kind", "all")])),
            ({ $0.retransmissionsSent }, counter("marionette_sfu_rtx_sent_total", "Packets resent after a NACK")),
            ({ $0.nacksReceived }, counter("marionette_sfu_nack_received_total", "Sequence numbers viewers NACKed")),
            ({ $0.keyframeRequestsReceived }, counter("marionette_sfu_pli_received_total", "PLI/FIR from viewers")),
            ({ $0.keyframeRequestsSent }, counter("marionette_sfu_keyframe_requests_sent_total", "Keyframe requests sent upstream")),
            ({ $0.droppedProtect }, counter("marionette_sfu_packets_dropped_total", "Packets not sent", [("reason", "protect_failed")])),
            ({ $0.droppedOnPurpose }, counter("marionette_sfu_packets_dropped_total", "Packets not sent", [("reason", "test_drop")])),
            ({ $0.droppedCongestion }, counter("marionette_sfu_packets_dropped_total", "Packets not sent", [("reason", "congestion")])),
            ({ $0.droppedQueueFull }, counter("marionette_sfu_packets_dropped_total", "Packets not sent", [("reason", "queue_full")])),
            ({ $0.framesDroppedCongestion }, counter(
                "marionette_sfu_frames_dropped_total", "Video frames not sent to viewers that could not keep up", [("reason", "congestion")])),
            ({ $0.framesDroppedQueueFull }, counter(
                "marionette_sfu_frames_dropped_total", "Video frames not sent to viewers that could not keep up", [("reason", "queue_full")])),
            ({ $0.dtlsFailures }, counter("marionette_sfu_dtls_failures_total", "DTLS handshakes that failed")),
            ({ $0.consentTimeouts }, counter("marionette_sfu_ice_consent_timeouts_total", "Peers removed after consent expired")),
            ({ $0.forwardedToWorkers }, counter(
                "marionette_sfu_worker_handoffs_total", "Datagrams handed from the SFU worker whose socket got them to the peer's worker")),
        ]
        sfuCounters = sfu
        exported = NIOLockedValueBox(Array(repeating: 0, count: sfu.count))
    }

    public func countRunners(with count: @escaping @Sendable () async -> Int) {
        runnerCount.withLockedValue { $0 = count }
    }

    /// Reads the scrape-time values, then renders the registry.
    func exposition(_ services: GatewayServices) async -> [UInt8] {
        if let count = runnerCount.withLockedValue({ $0 }) { runnersConnected.set(Int64(await count())) }
        if let pending = try? await services.store.pendingPermissionCount() { permissionsPending.set(Int64(pending)) }
        logFollowStreams.set(Int64(services.hub.subscriberCount))
        tunnelsActive.set(Int64(services.tunnelRuntime.activeTunnelCount))
        let sfuStats = await services.sfu.server?.stats()
        if let stats = sfuStats {
            sfuViewers.set(Int64(stats.viewers))
            sfuPublishers.set(Int64(stats.publishers))
            let now = sfuCounters.map { $0.read(stats.counters) }
            let previous = exported.withLockedValue { previous in
                defer { previous = now }
                return previous
            }
            for (index, value) in now.enumerated() where value > previous[index] {
                sfuCounters[index].counter.increment(by: Int64(value - previous[index]))
            }
        }
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        // Kept by the SFU on its event loop; rendered here rather than replayed into the registry.
        Self.emit(
            "marionette_sfu_forward_delay_seconds", help: "Video packet ingress to its copies handed to the kernel",
            sfuStats?.forwardDelay ?? SFULatencyHistogram(), into: &bytes)
        Self.emit(
            "marionette_stream_first_frame_seconds", help: "WHEP offer accepted to the viewer's first media packet",
            sfuStats?.firstFrame ?? SFULatencyHistogram(), into: &bytes)
        return bytes
    }
}

extension ServerMetrics {
    /// Prometheus text of a histogram kept as per-bucket counts.
    static func emit(_ name: String, help: String, _ histogram: SFULatencyHistogram, into bytes: inout [UInt8]) {
        var text = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (index, bound) in SFULatencyHistogram.boundsNanoseconds.enumerated() {
            cumulative &+= histogram.counts[index]
            text += "\(name)_bucket{le=\"\(Double(bound) / 1e9)\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{le=\"+Inf\"} \(histogram.count)\n"
        text += "\(name)_sum \(Double(histogram.sumNanoseconds) / 1e9)\n"
        text += "\(name)_count \(histogram.count)\n"
        bytes.append(contentsOf: text.utf8)
    }
}

/// ``OrchestratorMetrics`` over the registry.
struct PrometheusOrchestratorMetrics: OrchestratorMetrics {
    let linesIngested: Counter
    let bytesIngested: Counter
    let dispatchLatency: DurationHistogram
    let tasks: [String: Counter]

    init(registry: PrometheusCollectorRegistry) {
        linesIngested = registry.makeCounter(
            name: "marionette_log_lines_ingested_total", help: "Log lines stored from runners")
        bytesIngested = registry.makeCounter(name: "marionette_log_bytes_total", help: "Content bytes of stored log lines")
        dispatchLatency = registry.makeDurationHistogram(
            name: "marionette_task_dispatch_latency_seconds", buckets: TunnelMetrics.latencyBuckets,
            help: "Task created to its first run sent to a runner")
        var tasks: [String: Counter] = [:]
        for status in ["completed", "failed", "canceled"] {
            tasks[status] = registry.makeCounter(
                name: "marionette_tasks_total", labels: [("status", status)], help: "Tasks that reached a terminal status")
        }
        self.tasks = tasks
    }

    func logLinesIngested(_ count: Int, bytes: Int) {
        linesIngested.increment(by: Int64(count))
        bytesIngested.increment(by: Int64(bytes))
    }

    func taskDispatched(afterMilliseconds: Int64) {
        dispatchLatency.record(.milliseconds(max(0, afterMilliseconds)))
    }

    func taskEnded(status: String) { tasks[status]?.increment() }
}
