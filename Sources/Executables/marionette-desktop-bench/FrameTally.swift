import Capture
import Synchronization

/// The encode command's sink: counts what `DesktopSourceRunner` hands out, remembers how it ended
/// if it failed, and samples the runner's per-stage times once per frame.
final class FrameTally: Sendable {
    struct Counts: Sendable {
        var frames = 0
        var bytes = 0
        var keyframes = 0
    }

    /// Per-frame stage times in µs since `clearTimings()`.
    struct Timings: Sendable {
        var grab: [Int] = []
        var convert: [Int] = []
        var encode: [Int] = []
    }

    private struct State {
        var counts = Counts()
        var timings = Timings()
        var failure: String?
    }

    private let state = Mutex(State())
    private let runner = Mutex<DesktopSourceRunner?>(nil)

    /// The runner whose statistics `add` samples (it exists only after its sink does).
    func attach(_ runner: DesktopSourceRunner) {
        self.runner.withLock { $0 = runner }
    }

    func detach() {
        runner.withLock { $0 = nil }
    }

    /// On the capture thread, outside the runner's lock. The runner publishes a tick's stage times
    /// after its sink calls, so a frame samples the tick before it: the same distribution over a window.
    func add(_ frame: EncodedFrame) {
        let statistics = runner.withLock { $0?.statistics }
        state.withLock { state in
            state.counts.frames += 1
            state.counts.bytes += frame.data.count
            if frame.keyframe { state.counts.keyframes += 1 }
            if let s = statistics, s.framesEncoded > 0 {
                state.timings.grab.append(s.lastGrabMicroseconds)
                state.timings.convert.append(s.lastConvertMicroseconds)
                state.timings.encode.append(s.lastEncodeMicroseconds)
            }
        }
    }

    func record(_ status: DesktopSourceStatus) {
        if case .failed(let code, let message) = status {
            state.withLock { $0.failure = "\(code): \(message)" }
        }
    }

    var counts: Counts { state.withLock { $0.counts } }
    var failure: String? { state.withLock { $0.failure } }

    func clearTimings() {
        state.withLock { $0.timings = Timings() }
    }

    var timings: Timings { state.withLock { $0.timings } }
}
