import Core

/// The stream state machine of data-model.md §4.4, free of storage so it can be tested alone:
/// `pending → starting → active`; `active ⇄ paused`; `active → starting` (publisher lost but
/// recoverable); `pending | starting | active → failed`; any non-final state `→ stopping → stopped`.
public struct StreamStateMachine: Sendable {
    public enum State: String, Sendable, CaseIterable {
        case pending, starting, active, paused, stopping, stopped, failed

        /// `stopped` and `failed` end a stream; nothing leaves them.
        public var isFinal: Bool { self == .stopped || self == .failed }
    }

    public enum Outcome: Sendable, Equatable {
        /// The stream moves to the target state.
        case change
        /// The stream is already there; repeating a report (SFU callbacks, a second DELETE) is harmless.
        case unchanged
    }

    static let edges: [State: Set<State>] = [
        .pending: [.starting, .failed, .stopping],
        .starting: [.active, .failed, .stopping],
        .active: [.paused, .starting, .failed, .stopping],
        .paused: [.active, .stopping],
        .stopping: [.stopped],
        .stopped: [],
        .failed: [],
    ]

    /// The non-final states, the ones that count against `streams.max_per_session`.
    public static let liveStates: [State] = State.allCases.filter { !$0.isFinal }

    public init() {}

    public func canMove(from: State, to: State) -> Bool { Self.edges[from]?.contains(to) ?? false }

    /// Checks `from → to`. Staying in a state is a no-op except in `failed`, which a second failure
    /// report must not overwrite. Anything else → 409 `invalid_state` naming the stream.
    public func check(streamID: String, from: State, to: State) throws(APIError) -> Outcome {
        if from == to && from != .failed { return .unchanged }
        guard canMove(from: from, to: to) else {
            let expected = Self.edges.filter { $0.value.contains(to) }.map(\.key.rawValue).sorted()
            let hint = expected.isEmpty ? "no state" : expected.joined(separator: ", ")
            throw .invalidState(
                "stream \(streamID) is in state \"\(from.rawValue)\", expected \(hint) to move to \(to.rawValue)")
        }
        return .change
    }

    /// Stopping passes through `stopping`; with no media resources held yet the store completes
    /// both steps in one transaction. Stopping a stopped stream is a no-op.
    public func checkStop(streamID: String, from: State) throws(APIError) -> Outcome {
        if from == .stopped { return .unchanged }
        if from == .stopping { return .change }
        _ = try check(streamID: streamID, from: from, to: .stopping)
        return .change
    }
}
