import Synchronization

/// The lines of one `StreamLogs` call between the task reading the call and the task storing
/// them (runner-protocol.md §9). The store task takes everything that arrived while its previous
/// commit ran, so a fast runner's many 100-line messages share one transaction (one commit, one
/// ack) instead of paying a transaction each. Bounded: past `limit` lines the reader waits, so
/// HTTP/2 flow control slows the runner down and memory stays bounded.
final class LogIntake<Gap: Sendable>: Sendable {
    struct Batch: Sendable {
        var lines: [IncomingLogLine] = []
        var gaps: [Gap] = []
        /// Content bytes of `lines`.
        var bytes = 0
        var isEmpty: Bool { lines.isEmpty && gaps.isEmpty }
    }

    private enum End {
        case finished
        case failed(any Error)
    }

    private struct State {
        var pending = Batch()
        var end: End?
        /// The store task, waiting for lines.
        var taker: CheckedContinuation<Void, Never>?
        /// The reader, waiting for room.
        var putter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    let limitLines: Int
    let limitBytes: Int

    init(limitLines: Int, limitBytes: Int) {
        self.limitLines = limitLines
        self.limitBytes = limitBytes
    }

    /// Adds a message's lines and gaps; returns once fewer than `limitLines` lines and
    /// `limitBytes` bytes of content wait (or the intake ended).
    func put(lines: [IncomingLogLine], gaps: [Gap]) async {
        var bytes = 0
        for line in lines { bytes += line.content.utf8.count }
        let taker = state.withLock { [bytes] state -> CheckedContinuation<Void, Never>? in
            state.pending.lines.append(contentsOf: lines)
            state.pending.gaps.append(contentsOf: gaps)
            state.pending.bytes += bytes
            defer { state.taker = nil }
            return state.taker
        }
        taker?.resume()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let full = state.withLock { state -> Bool in
                guard state.pending.lines.count >= limitLines || state.pending.bytes >= limitBytes, state.end == nil
                else { return false }
                state.putter = continuation
                return true
            }
            if !full { continuation.resume() }
        }
    }

    /// No more messages: `nil` for the end of the call, else its error. Also releases a reader
    /// waiting for room when the store task gave up.
    func finish(_ error: (any Error)? = nil) {
        let (taker, putter) = state.withLock { state in
            if state.end == nil { state.end = error.map { .failed($0) } ?? .finished }
            defer {
                state.taker = nil
                state.putter = nil
            }
            return (state.taker, state.putter)
        }
        taker?.resume()
        putter?.resume()
    }

    /// Everything that waits, at once; waits for something to arrive. Returns nil after the end
    /// of the call once everything was taken, and throws the call's error after the lines before it.
    func take() async throws -> Batch? {
        while true {
            let (batch, end, putter) = state.withLock { state -> (Batch?, End?, CheckedContinuation<Void, Never>?) in
                guard state.pending.isEmpty else {
                    let batch = state.pending
                    state.pending = Batch()
                    defer { state.putter = nil }
                    return (batch, nil, state.putter)
                }
                return (nil, state.end, nil)
            }
            putter?.resume()
            if let batch { return batch }
            switch end {
            case .finished?: return nil
            case .failed(let error)?: throw error
            case nil: break
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    guard state.pending.isEmpty, state.end == nil else { return true }
                    state.taker = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }
}
