import NIOConcurrencyHelpers

/// Fans values out to any number of `AsyncStream` subscribers; optionally replays the latest value to each new
/// subscriber (for state that has a "current" value).
final class FabricBroadcaster<Element: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var continuations: [Int: AsyncStream<Element>.Continuation] = [:]
        var current: Element?
        var finished = false
    }

    private let state: NIOLockedValueBox<State>
    private let replaysCurrent: Bool

    init(current: Element? = nil) {
        self.state = NIOLockedValueBox(State(current: current))
        self.replaysCurrent = current != nil
    }

    var current: Element? {
        self.state.withLockedValue { $0.current }
    }

    /// A new subscription. Slow subscribers keep the newest `bufferSize` values.
    func subscribe(bufferSize: Int = 256) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id: Int? = self.state.withLockedValue { state in
            if self.replaysCurrent, let current = state.current {
                continuation.yield(current)
            }
            guard !state.finished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.continuations[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLockedValue { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Publishes `value` (and makes it the current value).
    func yield(_ value: Element) {
        self.state.withLockedValue { state in
            guard !state.finished else { return }
            state.current = value
            for continuation in state.continuations.values {
                continuation.yield(value)
            }
        }
    }

    /// Ends every subscription; later subscribers get the current value (if replayed) and end.
    func finish() {
        let continuations = self.state.withLockedValue { state in
            state.finished = true
            defer { state.continuations.removeAll() }
            return Array(state.continuations.values)
        }
        for continuation in continuations {
            continuation.finish()
        }
    }
}
