import Fabric
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2

/// Matches the data-connection streams runners open (`POST /v1/tunnels/{tid}/connections/{cid}`, or
/// a standby stream answered with the connection) with the client connections waiting for them
/// (runner-protocol.md §10.3, §10.8, §10.9). A stream naming
/// a connection nobody waits for, another tunnel, or coming from another runner is reset; a client
/// waits at most ``streamWait`` (10 s) and is then answered 502 / reset.
public final class TunnelStreamBroker: FabricDataStreamHandler {
    struct Pending: Sendable {
        var tunnelID: String
        var runnerID: String
        var localPort: Int
        /// "http" or "tcp", for metrics.
        var kind: String
        var client: TunnelSplicePeer
        var requestedAt: ContinuousClock.Instant
    }

    private struct Waiting {
        var pending: [String: Pending] = [:]
        /// The waiting connections in the order they came, for one timer (all wait ``streamWait``).
        var deadlines = DeadlineQueue<String>()
    }

    private let waiting = NIOLockedValueBox(Waiting())
    private let metrics: TunnelMetrics
    /// How long a client waits for the runner's stream (streaming.md §7.2: no start within 10 s is a 502).
    let streamWait: TimeAmount
    /// Idle standby streams and the connections waiting for one.
    let standby: TunnelStandbyPool

    /// `standbyWait`: how long a connection waits for the runner's next standby stream.
    init(metrics: TunnelMetrics, streamWait: TimeAmount = .seconds(10), standbyWait: TimeAmount = .seconds(5)) {
        self.metrics = metrics
        self.streamWait = streamWait
        self.standby = TunnelStandbyPool(waitLimit: standbyWait)
    }

    /// Number of clients waiting for their stream.
    public var waitingCount: Int { waiting.withLockedValue { $0.pending.count } }

    /// Registers a client waiting for `connectionID`; after ``streamWait`` it is aborted with 502.
    func expect(
        connectionID: String, tunnelID: String, runnerID: String, localPort: Int, protocol kind: String, client: TunnelSplicePeer
    ) {
        let timer = waiting.withLockedValue { state in
            state.pending[connectionID] = Pending(
                tunnelID: tunnelID, runnerID: runnerID, localPort: localPort, kind: kind, client: client, requestedAt: .now)
            return state.deadlines.append(connectionID, deadline: .now() + streamWait)
        }
        timer?.run(on: client.eventLoop) { self.expire($0) }
    }

    /// At `timer`'s deadline: the clients still waiting that long get their 502; returns the timer
    /// for the rest.
    private func expire(_ timer: DeadlineQueue<String>.Timer) -> DeadlineQueue<String>.Timer? {
        let (late, next) = waiting.withLockedValue { state in
            let (expired, next) = state.deadlines.expire(now: .now(), token: timer.token)
            return (expired.compactMap { state.pending.removeValue(forKey: $0) }, next)
        }
        for waiting in late {
            metrics.connection(type: waiting.kind, .timeout)
            waiting.client.abort(
                .tunnelEnded(
                    status: 502, code: "bad_gateway",
                    message: "the runner did not open the connection to port \(waiting.localPort) within \(streamWait.nanoseconds / 1_000_000_000) s"))
        }
        return next
    }

    /// Stops waiting (the command could not be sent, or the client left); returns the waiter's
    /// protocol if it was still waiting.
    @discardableResult
    func cancel(_ connectionID: String) -> String? {
        take(connectionID)?.kind
    }

    private func take(_ connectionID: String) -> Pending? {
        waiting.withLockedValue { Self.remove(connectionID, from: &$0) }
    }

    private static func remove(_ connectionID: String, from state: inout Waiting) -> Pending? {
        guard let found = state.pending.removeValue(forKey: connectionID) else { return nil }
        // Streams mostly come in the order their clients did: the answered leave the queue's front.
        let pending = state.pending
        state.deadlines.removeFirst { pending[$0] == nil }
        return found
    }

    /// Whether a client still waits for `connectionID`.
    func isWaiting(_ connectionID: String) -> Bool {
        waiting.withLockedValue { $0.pending[connectionID] != nil }
    }

    public func handleTunnelStream(_ request: FabricDataStreamRequest) -> FabricDataStreamDecision {
        guard let waiting = take(request.connectionID) else { return .reset(.refusedStream) }
        guard waiting.tunnelID == request.tunnelID, waiting.runnerID == request.runnerID else {
            metrics.connection(type: waiting.kind, .refused)
            waiting.client.abort(
                .tunnelEnded(status: 502, code: "bad_gateway", message: "the runner answered for another tunnel"))
            return .reset(.refusedStream)
        }
        let dialError = request.headers.first(name: FabricDataStandbyAssignment.dialErrorHeader)
        if let reason = dialError ?? (request.requestEnded ? "no connection" : nil) {
            dialFailed(waiting, reason: reason)
            return .respond(status: 502)
        }
        return .accept(configure: connected(waiting))
    }

    /// A standby stream (``FabricDataStandbyAssignment``): held unanswered in ``standby`` until a
    /// client connection is assigned to it.
    public func handleStandbyStream(runnerID: String) -> FabricDataStreamDecision {
        .hold(configure: { [self] stream in
            guard let connection = stream.parent else { throw ChannelError.ioOnClosedChannel }
            let end = TunnelStandbyStream(runnerID: runnerID, broker: self, pool: standby)
            try stream.pipeline.syncOperations.addHandler(end)
            guard standby.offer(end.handle(eventLoop: stream.eventLoop), runnerID: runnerID, connection: connection) else {
                throw TooManyStandbyStreams()
            }
        })
    }

    struct TooManyStandbyStreams: Error {}

    /// Counts a connection asked of a runner on a standby stream, or with `OpenTunnelConnection`.
    func asked(onStandby: Bool) {
        (onStandby ? metrics.askedOnStandby : metrics.askedByCommand).increment()
    }

    /// The client a standby stream was assigned to, and the meter for its stream end; nil when it
    /// left meanwhile. It keeps waiting (its timeout runs) until the runner answers.
    func standbyClient(_ assignment: FabricDataStandbyAssignment, runnerID: String) -> (TunnelSplicePeer, any TunnelByteMeter)? {
        let client = waiting.withLockedValue { Self.assigned(assignment, runnerID: runnerID, in: $0.pending)?.client }
        return client.map { ($0, metrics.streamMeter) }
    }

    /// The runner connected the standby stream's assignment; false when the client is gone.
    func standbyConnected(_ assignment: FabricDataStandbyAssignment, runnerID: String) -> Bool {
        guard let waiting = takeAssigned(assignment, runnerID: runnerID) else { return false }
        opened(waiting)
        return true
    }

    /// The runner could not connect the standby stream's assignment.
    func standbyDialFailed(_ assignment: FabricDataStandbyAssignment, runnerID: String, reason: String) {
        guard let waiting = takeAssigned(assignment, runnerID: runnerID) else { return }
        dialFailed(waiting, reason: reason)
    }

    private func takeAssigned(_ assignment: FabricDataStandbyAssignment, runnerID: String) -> Pending? {
        waiting.withLockedValue { state in
            guard Self.assigned(assignment, runnerID: runnerID, in: state.pending) != nil else { return nil }
            return Self.remove(assignment.connectionID, from: &state)
        }
    }

    /// The client waiting for `assignment`, if it was made to `runnerID`'s tunnel.
    private static func assigned(_ assignment: FabricDataStandbyAssignment, runnerID: String, in all: [String: Pending]) -> Pending? {
        guard let found = all[assignment.connectionID], found.tunnelID == assignment.tunnelID, found.runnerID == runnerID else {
            return nil
        }
        return found
    }

    private func opened(_ waiting: Pending) {
        metrics.connection(type: waiting.kind, .opened)
        metrics.openLatency.record(waiting.requestedAt.duration(to: .now))
    }

    private func dialFailed(_ waiting: Pending, reason: String) {
        metrics.connection(type: waiting.kind, .dialFailed)
        waiting.client.abort(
            .tunnelEnded(
                status: 502, code: "bad_gateway",
                message: "the runner could not connect to port \(waiting.localPort): \(reason.prefix(200))"))
    }

    private func connected(_ waiting: Pending) -> @Sendable (any Channel) throws -> Void {
        opened(waiting)
        let client = waiting.client
        let meter = metrics.streamMeter
        return { stream in
            let end = TunnelStreamEnd(peer: client, meter: meter)
            try stream.pipeline.syncOperations.addHandler(end)
            client.attach(end.link(eventLoop: stream.eventLoop))
        }
    }
}
