import Fabric
import Synchronization

/// Lets the task reading the client's WebSocket frames send to the runner side only while it is
/// attached, writable and not backlogged (``TunnelSplicePeer/isBacklogged``), so the client's TCP
/// window, not a buffer, absorbs a slow runner.
final class TunnelWebSocketReadGate: Sendable {
    private struct State {
        var peer: TunnelSplicePeer?
        var peerWritable = true
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []

        /// nil: wait; .some(nil): closed; .some(peer): send.
        var decision: TunnelSplicePeer?? {
            if closed { return .some(nil) }
            guard let peer, peerWritable, !peer.isBacklogged else { return nil }
            return .some(peer)
        }
    }

    private let state = Mutex(State())

    func attach(_ peer: TunnelSplicePeer) { update { $0.peer = peer } }

    func peerWritabilityChanged(_ writable: Bool) { update { $0.peerWritable = writable } }

    /// No more sending: the waiting reader gets nil.
    func close() { update { $0.closed = true } }

    /// The runner side once bytes may go to it; nil once the gate closed. The backlog falls without
    /// a call here, but its end is always followed by a writability call (`spliceQueueDrained`).
    func ready() async -> TunnelSplicePeer? {
        while true {
            if let decided = state.withLock({ $0.decision }) { return decided }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.decision != nil { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
