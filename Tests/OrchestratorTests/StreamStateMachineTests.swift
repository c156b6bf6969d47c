import Core
import Testing

@testable import Orchestrator

/// The stream state machine of data-model.md §4.4, without a store.
@Suite struct StreamStateMachineTests {
    typealias S = StreamStateMachine.State
    let machine = StreamStateMachine()

    static let allowed: Set<String> = [
        "pending>starting", "starting>active", "active>paused", "paused>active", "active>starting",
        "pending>failed", "starting>failed", "active>failed",
        "pending>stopping", "starting>stopping", "active>stopping", "paused>stopping", "stopping>stopped",
    ]

    @Test func exactlyTheSpecTransitionsAreAllowed() {
        for from in S.allCases {
            for to in S.allCases where from != to {
                #expect(machine.canMove(from: from, to: to) == Self.allowed.contains("\(from.rawValue)>\(to.rawValue)"),
                        "\(from.rawValue) → \(to.rawValue)")
            }
        }
    }

    @Test func finalStatesAreStoppedAndFailed() {
        #expect(S.allCases.filter(\.isFinal) == [.stopped, .failed])
        #expect(StreamStateMachine.liveStates == [.pending, .starting, .active, .paused, .stopping])
        for final in [S.stopped, .failed] {
            for to in S.allCases where to != final { #expect(!machine.canMove(from: final, to: to)) }
        }
    }

    @Test func repeatingAStateIsANoOpExceptFailed() throws {
        for state in S.allCases where state != .failed {
            #expect(try machine.check(streamID: "strm_x", from: state, to: state) == .unchanged)
        }
        #expect(throws: APIError.self) { try machine.check(streamID: "strm_x", from: .failed, to: .failed) }
    }

    @Test func refusalsAre409InvalidStateNamingTheStream() throws {
        let error = try #require(#expect(throws: APIError.self) {
            try machine.check(streamID: "strm_A", from: .stopped, to: .active)
        })
        #expect(error.code == "invalid_state")
        #expect(error.status == 409)
        #expect(error.message.contains("strm_A"))
        #expect(error.message.contains("\"stopped\""))
    }

    @Test func stopIsIdempotentAndRefusedOnlyOnFailed() throws {
        for state in [S.pending, .starting, .active, .paused, .stopping] {
            #expect(try machine.checkStop(streamID: "strm_x", from: state) == .change)
        }
        #expect(try machine.checkStop(streamID: "strm_x", from: .stopped) == .unchanged)
        #expect(throws: APIError.self) { try machine.checkStop(streamID: "strm_x", from: .failed) }
    }
}
