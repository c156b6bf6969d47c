import Fabric
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2

/// Matches the data-connection streams runners open (`POST /v1/tunnels/{tid}/connections/{cid}`)
/// with the client connections waiting for them (runner-protocol.md §10.3, §10.8). A stream naming
/// a connection nobody waits for, another tunnel, or coming from another runner is reset; a client
/// waits at most `timeout` (10 s) and is then answered 502 / reset.
public final class TunnelStreamBroker: FabricDataStreamHandler {
    struct Pending: Sendable {
        var tunnelID: String
        var runnerID: String
        var localPort: Int
        /// "http" or "tcp", for metrics.
        var kind: String
        var client: TunnelSplicePeer
        var timeout: Scheduled<Void>?
        var requestedAt: ContinuousClock.Instant
    }

    private let pending = NIOLockedValueBox<[String: Pending]>([:])
    private let metrics: TunnelMetrics

    init(metrics: TunnelMetrics) { self.metrics = metrics }

    /// Number of clients waiting for their stream.
    public var waitingCount: Int { pending.withLockedValue { $0.count } }

    /// Registers a client waiting for `connectionID`; after `timeout` it is aborted with 502.
    func expect(
        connectionID: String, tunnelID: String, runnerID: String, localPort: Int, protocol kind: String,
        client: TunnelSplicePeer, timeout: TimeAmount
    ) {
        let scheduled = client.eventLoop.scheduleTask(in: timeout) { [weak self] in
            guard let self, let waiting = self.take(connectionID) else { return }
            self.metrics.connection(type: waiting.kind, .timeout)
            waiting.client.abort(
                .tunnelEnded(
                    status: 502, code: "bad_gateway",
                    message: "the runner did not open the connection to port \(waiting.localPort) within \(timeout.nanoseconds / 1_000_000_000) s"))
        }
        pending.withLockedValue {
            $0[connectionID] = Pending(
                tunnelID: tunnelID, runnerID: runnerID, localPort: localPort, kind: kind, client: client,
                timeout: scheduled, requestedAt: .now)
        }
    }

    /// Stops waiting (the command could not be sent, or the client left); returns the waiter's
    /// protocol if it was still waiting.
    @discardableResult
    func cancel(_ connectionID: String) -> String? {
        guard let waiting = take(connectionID) else { return nil }
        waiting.timeout?.cancel()
        return waiting.kind
    }

    private func take(_ connectionID: String) -> Pending? {
        pending.withLockedValue { $0.removeValue(forKey: connectionID) }
    }

    public func handleTunnelStream(_ request: FabricDataStreamRequest) -> FabricDataStreamDecision {
        guard let waiting = take(request.connectionID) else { return .reset(.refusedStream) }
        waiting.timeout?.cancel()
        guard waiting.tunnelID == request.tunnelID, waiting.runnerID == request.runnerID else {
            metrics.connection(type: waiting.kind, .refused)
            waiting.client.abort(
                .tunnelEnded(status: 502, code: "bad_gateway", message: "the runner answered for another tunnel"))
            return .reset(.refusedStream)
        }
        if let reason = request.headers.first(name: "x-dial-error") ?? (request.requestEnded ? "no connection" : nil) {
            metrics.connection(type: waiting.kind, .dialFailed)
            waiting.client.abort(
                .tunnelEnded(
                    status: 502, code: "bad_gateway",
                    message: "the runner could not connect to port \(waiting.localPort): \(reason.prefix(200))"))
            return .respond(status: 502)
        }
        metrics.connection(type: waiting.kind, .opened)
        metrics.openLatency.record(waiting.requestedAt.duration(to: .now))
        let client = waiting.client
        let meter = metrics.streamMeter
        return .accept(configure: { stream in
            let end = TunnelStreamEnd(peer: client, meter: meter)
            try stream.pipeline.syncOperations.addHandler(end)
            client.attach(end.link(eventLoop: stream.eventLoop))
        })
    }
}
