import Fabric
import Synchronization

/// The hand-off from the runner side's event loop to the task writing the WebSocket: a
/// ``TunnelWebSocketOutputBuffer`` behind a lock, and one waiting writer.
final class TunnelWebSocketOutput: Sendable {
    private struct State {
        var buffer = TunnelWebSocketOutputBuffer()
        var peer: TunnelSplicePeer?
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// The runner side, told to pause and resume (paused at once if the queue is full already).
    func attach(_ peer: TunnelSplicePeer) {
        state.withLock { state in
            state.peer = peer
            if state.buffer.paused { Self.tell(peer, .pause) }
        }
    }

    /// Tells the runner side whether it may send (its ``TunnelSpliceEndpoint/spliceQueueDrained()``
    /// asks); under the lock, so it cannot overtake a pause or resume decided meanwhile.
    func tellWritability() {
        state.withLock { state in
            Self.tell(state.peer, state.buffer.paused ? .pause : .resume)
        }
    }

    func push(_ item: TunnelWebSocketOutputBuffer.Item) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            Self.tell(state.peer, state.buffer.append(item))
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The next item; waits while there is none.
    func next() async -> TunnelWebSocketOutputBuffer.Item {
        while true {
            if let item = take() { return item }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.buffer.isEmpty { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    private func take() -> TunnelWebSocketOutputBuffer.Item? {
        state.withLock { state in
            guard let (item, signal) = state.buffer.pop() else { return nil }
            Self.tell(state.peer, signal)
            return item
        }
    }

    /// Queued on the peer's loop while the lock is held, so pause and resume arrive in the order
    /// they were decided.
    private static func tell(_ peer: TunnelSplicePeer?, _ signal: TunnelWebSocketOutputBuffer.Signal) {
        guard let peer, signal != .none else { return }
        let writable = signal == .resume
        peer.eventLoop.execute { peer.writabilityChanged(writable) }
    }
}
