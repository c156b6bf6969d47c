import Synchronization

/// Whether a public-listener connection serves the API (true) or was taken by a tunnel or closed
/// before its first request (false), handed once from ``TunnelIngressHandler`` (on the
/// connection's loop) to Hummingbird's task for the connection.
///
/// Not an `EventLoopFuture`: a task that awaits a future registers its callback with an `execute`
/// onto the loop, a wake-up of that thread per connection; here the task parks a continuation
/// under a lock, and a verdict given before the task asks costs no suspension at all.
final class TunnelIngressVerdict: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Bool, Never>)
        case given(Bool)
    }

    private let state = Mutex(State.pending)

    init() {}

    /// The first verdict wins; later ones are ignored.
    func give(servesAPI: Bool) {
        let waiter: CheckedContinuation<Bool, Never>? = state.withLock { state in
            switch state {
            case .pending:
                state = .given(servesAPI)
                return nil
            case .waiting(let continuation):
                state = .given(servesAPI)
                return continuation
            case .given:
                return nil
            }
        }
        waiter?.resume(returning: servesAPI)
    }

    /// The verdict, once given. One caller only.
    func servesAPI() async -> Bool {
        if case .given(let verdict) = state.withLock({ $0 }) { return verdict }
        return await withCheckedContinuation { continuation in
            let given: Bool? = state.withLock { state in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .given(let verdict):
                    return verdict
                case .waiting:
                    preconditionFailure("TunnelIngressVerdict awaited twice")
                }
            }
            if let given { continuation.resume(returning: given) }
        }
    }
}
