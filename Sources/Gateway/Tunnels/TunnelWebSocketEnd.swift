import Fabric
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// The splice end of a `GET /api/v1/tunnels/{id}/connect` WebSocket (api.md §9.1): binary frames
/// carry the raw bytes of one TCP connection to the tunnel's port. Unlike the TCP and HTTP entry
/// points (NIO handlers on the client channel), this end is driven by async tasks: Hummingbird's
/// WebSocket API is an async sequence and writer, and this is the interactive `mctl tunnels
/// connect` path, not the bulk tunnel path, so a task hop per frame is acceptable.
///
/// The splice calls arrive on ``eventLoop`` (the WebSocket channel's loop); the tasks reach the
/// runner side through ``TunnelWebSocketReadGate`` (client → runner, paused while the runner side
/// is unwritable or backlogged) and ``TunnelWebSocketOutput`` (runner → client, bounded by bytes).
/// Close rules: ``TunnelWebSocketCloseState``.
final class TunnelWebSocketEnd: TunnelSpliceEndpoint {
    let eventLoop: any EventLoop
    let output = TunnelWebSocketOutput()
    let gate = TunnelWebSocketReadGate()
    private var close = TunnelWebSocketCloseState()
    private var peer: TunnelSplicePeer?
    private var grace: Scheduled<Void>?

    /// After the client closed, how long the runner side may take to finish before it is reset.
    static let closeGrace = TimeAmount.seconds(10)

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    // MARK: runner side (splice calls, on the loop)

    func spliceAttached(to peer: TunnelSplicePeer) {
        self.peer = peer
        if close.aborted {
            peer.abort(.reset)
            return
        }
        output.attach(peer)
        gate.attach(peer)
        if close.runnerSideShouldFinish { peer.finish() }
    }

    func spliceReceived(_ bytes: ByteBuffer) {
        guard !close.aborted, !close.runnerEnded else { return }
        output.push(.bytes(bytes))
    }

    func spliceFinished() {
        guard !close.runnerEnded else { return }
        let frame = close.runnerFinished()
        grace?.cancel()
        output.push(.close(frame))
    }

    func spliceAborted(_ reason: TunnelAbort) {
        let frame = close.runnerAborted(reason)
        grace?.cancel()
        gate.close()
        output.push(.close(frame))
    }

    func splicePeerWritabilityChanged(_ writable: Bool) {
        gate.peerWritabilityChanged(writable)
    }

    func spliceQueueDrained() {
        output.tellWritability()
    }

    // MARK: client side (from the tasks, hopped onto the loop)

    /// The client's empty binary frame (its half-close): the runner side gets END_STREAM, and the
    /// WebSocket stays open for what the runner side still sends.
    func clientFinishedWriting() {
        guard close.clientFinishedWriting() else { return }
        peer?.finish()
    }

    /// The client's close frame: the runner side gets END_STREAM; it has ``closeGrace`` to finish.
    func clientClosed() {
        gate.close()
        guard close.clientClosed() else { return }
        peer?.finish()
        if !close.runnerEnded {
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            grace = eventLoop.scheduleTask(in: Self.closeGrace) { bound.value.graceExpired() }
        }
    }

    /// The runner side did not finish within ``closeGrace`` of the client's close.
    private func graceExpired() {
        guard !close.runnerEnded else { return }
        spliceAborted(.reset)
        peer?.abort(.reset)
    }

    /// No bytes either way for the idle timeout: the client gets 1001, the runner side a reset.
    func idleExpired(after period: Duration) {
        spliceAborted(
            .tunnelEnded(
                status: 408, code: "idle_timeout", message: "no bytes either way for \(period.components.seconds) s"))
        peer?.abort(.reset)
    }

    /// The client's connection broke: reset the runner side.
    func clientFailed() {
        gate.close()
        if close.clientFailed() { peer?.abort(.reset) }
        output.push(.close(nil))
    }

    /// The handler returned (or was cancelled): a runner side still open is reset.
    func handlerEnded() {
        grace?.cancel()
        gate.close()
        if close.handlerEnded() { peer?.abort(.reset) }
    }
}

extension TunnelWebSocketEnd {
    /// An end made and registered with the runtime before its WebSocket is upgraded.
    struct Prepared: Sendable {
        let handle: NIOLoopBound<TunnelWebSocketEnd>
        let output: TunnelWebSocketOutput
        let gate: TunnelWebSocketReadGate
        /// Completed once the end is done with (the runtime's connection bookkeeping).
        let closed: EventLoopPromise<Void>

        /// The upgrade did not happen: a runner side already asked for is reset.
        func abandon() {
            let handle = self.handle
            handle.eventLoop.execute { handle.value.handlerEnded() }
            closed.succeed()
        }
    }

    /// Makes the end on `eventLoop` and lets `connect` register it with the runtime (which asks
    /// the runner to dial). Nil when the loop is gone.
    static func prepare(
        eventLoop: any EventLoop, connect: @Sendable (TunnelSplicePeer, EventLoopFuture<Void>) async -> Void
    ) async -> Prepared? {
        let closed = eventLoop.makePromise(of: Void.self)
        let made = try? await eventLoop.submit {
            let end = TunnelWebSocketEnd(eventLoop: eventLoop)
            return (NIOLoopBound(end, eventLoop: eventLoop), end.link, end.output, end.gate)
        }.get()
        guard let (handle, link, output, gate) = made else {
            closed.succeed()
            return nil
        }
        await connect(link, closed.futureResult)
        return Prepared(handle: handle, output: output, gate: gate, closed: closed)
    }

    /// Runs one upgraded WebSocket: pumps frames both ways until both sides ended, then completes
    /// the prepared end's `closed`.
    static func serve(
        _ prepared: Prepared, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, idleTimeout: Duration
    ) async {
        let (handle, output, gate, closed) = (prepared.handle, prepared.output, prepared.gate, prepared.closed)
        let eventLoop = handle.eventLoop
        let idle = TunnelWebSocketIdleWatch()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                guard (try? await idle.expired(after: idleTimeout)) != nil else { return }
                eventLoop.execute { handle.value.idleExpired(after: idleTimeout) }
            }
            group.addTask {
                do {
                    var doneWriting = false
                    for try await frame in inbound {
                        idle.touch()
                        // An empty frame carries no bytes: the client's half-close. TCP sends nothing
                        // after its FIN, so later bytes are dropped.
                        if frame.data.readableBytes == 0 {
                            if !doneWriting { eventLoop.execute { handle.value.clientFinishedWriting() } }
                            doneWriting = true
                            continue
                        }
                        guard !doneWriting else { continue }
                        // Text frames are taken as bytes too; only binary is specified.
                        guard let peer = await gate.ready() else { break }
                        peer.send(frame.data)
                    }
                    eventLoop.execute { handle.value.clientClosed() }
                } catch {
                    eventLoop.execute { handle.value.clientFailed() }
                }
            }
            var writable = true
            pump: while true {
                switch await output.next() {
                case .bytes(let bytes):
                    // After the client's close nothing more can be sent: drain until the runner side ends.
                    guard writable else { continue }
                    do { try await outbound.writeBinaryMessage(bytes) } catch { writable = false }
                    idle.touch()
                case .close(let frame):
                    if let frame, writable {
                        try? await outbound.close(
                            WebSocketErrorCode(codeNumber: Int(frame.code)), reason: frame.reason.isEmpty ? nil : frame.reason)
                    }
                    break pump
                }
            }
            // The runner side ended: wait a moment for the client's close reply, then stop reading.
            group.addTask { try? await Task.sleep(for: .seconds(5)) }
            await group.next()
            group.cancelAll()
        }
        try? await eventLoop.submit { handle.value.handlerEnded() }.get()
        closed.succeed()
    }

    /// The handle the runner side uses. Call on ``eventLoop``.
    private var link: TunnelSplicePeer { TunnelSplicePeer(self, eventLoop: eventLoop) }
}
