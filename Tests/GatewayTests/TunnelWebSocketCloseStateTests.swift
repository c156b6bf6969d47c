import Fabric
import Testing

@testable import Gateway

/// The close rules of the tunnel connect WebSocket, without I/O. (Mutating calls are made before
/// `#expect`, which cannot take them.)
@Suite struct TunnelWebSocketCloseStateTests {
    typealias State = TunnelWebSocketCloseState

    @Test func runnerFinishingClosesWith1000ThenTheClientsCloseFinishesTheRunnerSide() {
        var state = State()
        let close = state.runnerFinished()
        #expect(close == State.CloseFrame(code: 1000, reason: ""))
        #expect(!state.isDone)
        let again = state.runnerFinished()
        #expect(again == nil)
        let finish = state.clientClosed()
        #expect(finish)
        #expect(state.isDone)
        let reset = state.handlerEnded()
        #expect(!reset)
    }

    @Test func clientClosingFirstFinishesTheRunnerSideAndSendsNoClose() {
        var state = State()
        let finish = state.clientClosed()
        let finishAgain = state.clientClosed()
        let close = state.runnerFinished()
        #expect(finish && !finishAgain && close == nil)
        #expect(state.isDone && !state.aborted)
    }

    @Test func anEmptyFrameHalfClosesAndTheRunnersEndStillCloses() {
        var state = State()
        let finish = state.clientFinishedWriting()
        let finishAgain = state.clientFinishedWriting()
        #expect(finish && !finishAgain && state.runnerSideShouldFinish && !state.clientEnded)
        // The answer still flows; the runner side's end closes the WebSocket with 1000.
        let close = state.runnerFinished()
        #expect(close == State.CloseFrame(code: 1000, reason: ""))
        // The client's close reply does not finish the runner side a second time.
        let finishOnClose = state.clientClosed()
        #expect(!finishOnClose && state.isDone && !state.aborted)
    }

    @Test func noHalfCloseAfterTheCloseOrAnAbort() {
        var closed = State()
        _ = closed.clientClosed()
        let afterClose = closed.clientFinishedWriting()
        var aborted = State()
        _ = aborted.runnerAborted(.reset)
        let afterAbort = aborted.clientFinishedWriting()
        #expect(!afterClose && !afterAbort)
    }

    @Test func runnerAbortClosesWithTheReasonOnce() {
        var state = State()
        let frame = state.runnerAborted(
            .tunnelEnded(status: 502, code: "bad_gateway", message: "the runner could not connect to port 9: connection refused"))
        #expect(frame == State.CloseFrame(code: 1011, reason: "the runner could not connect to port 9: connection refused"))
        let second = state.runnerAborted(.reset)
        let finish = state.clientClosed()
        let reset = state.handlerEnded()
        #expect(second == nil && !finish && !reset)
    }

    @Test func abortAfterACleanFinishSendsNoSecondClose() {
        var state = State()
        _ = state.runnerFinished()
        let frame = state.runnerAborted(.reset)
        #expect(frame == nil && state.aborted)
    }

    @Test func brokenClientResetsTheRunnerSide() {
        var state = State()
        let reset = state.clientFailed()
        let abortFrame = state.runnerAborted(.reset)
        let finishFrame = state.runnerFinished()
        #expect(reset && abortFrame == nil && finishFrame == nil)
    }

    @Test func handlerEndingEarlyResetsOnce() {
        var state = State()
        let first = state.handlerEnded()
        let second = state.handlerEnded()
        let finish = state.clientClosed()
        #expect(first && !second && !finish)
    }

    @Test func closeCodes() {
        #expect(State.closeFrame(for: .reset).code == 1011)
        #expect(State.closeFrame(for: .tunnelEnded(status: 410, code: "tunnel_closed", message: "closed")).code == 1001)
        #expect(State.closeFrame(for: .tunnelEnded(status: 408, code: "idle_timeout", message: "idle")).code == 1001)
        #expect(State.closeFrame(for: .tunnelEnded(status: 503, code: "runner_not_connected", message: "gone")).code == 1013)
        #expect(State.closeFrame(for: .tunnelEnded(status: 502, code: "bad_gateway", message: "timeout")).code == 1011)
    }

    @Test func reasonsFitAControlFrameOnACharacterBoundary() {
        let cut = State.truncated(String(repeating: "é", count: 100))  // 200 bytes
        #expect(cut.utf8.count == 122)
        #expect(State.truncated("short") == "short")
    }
}
