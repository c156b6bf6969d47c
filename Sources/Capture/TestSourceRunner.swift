import Core
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `testsrc` pipeline (streaming.md §5.1): a dedicated thread that ticks at the frame rate,
/// renders the test pattern with the wall-clock capture time painted as the bar code, encodes it
/// with VP8 or VP9 and hands each `EncodedFrame` to `sink`.
///
/// - Ticks are absolute deadlines `start + n / fps` on the monotonic clock, so lateness never
///   accumulates into drift. A tick that starts late skips the deadlines it missed (counted as
///   dropped): nothing is queued, so a slow sink or encoder costs frames, never memory.
/// - `sink` runs on the capture thread and must not block: hand the frame to a bounded buffer
///   (e.g. an AsyncStream with `.bufferingNewest`) and return.
/// - The thread ends on `stop()` (which joins it), on an encoder failure (reported to `onFailure`),
///   or at its next tick once the runner is released.
public final class TestSourceRunner: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var trackID: String
        public var width: Int
        public var height: Int
        public var framesPerSecond: Int
        public var bitrateKbps: Int
        public var codec: VPXCodec

        /// streaming.md §5.1 defaults: 1280×720, 30 fps, 4,000 kbit/s, VP8.
        public init(
            trackID: String, width: Int = 1280, height: Int = 720, framesPerSecond: Int = 30, bitrateKbps: Int = 4000,
            codec: VPXCodec = .vp8
        ) {
            self.trackID = trackID
            self.width = width
            self.height = height
            self.framesPerSecond = framesPerSecond
            self.bitrateKbps = bitrateKbps
            self.codec = codec
        }
    }

    public struct Statistics: Sendable, Equatable {
        /// Pictures rendered and given to the encoder.
        public var framesCaptured = 0
        /// Encoded frames handed to the sink.
        public var framesEncoded = 0
        /// Ticks skipped because the previous one ran late, plus inputs rate control dropped.
        public var framesDropped = 0
        public var keyframes = 0
        public var bytes = 0
        /// Wall time of the latest `encode` call.
        public var lastEncodeMicroseconds = 0
    }

    private struct Control {
        var bitrateKbps: Int
        var keyframeRequested = false
        var stopping = false
        var captureThread: pthread_t?
        var statistics = Statistics()
        var failure: VPXEncoderError?
    }

    /// What one tick needs from the control state, read under one lock.
    private struct Tick {
        var bitrateKbps: Int
        var keyframe: Bool
    }

    public let configuration: Configuration
    private let control: Mutex<Control>
    private let finished = DispatchGroup()

    /// Validates the configuration and starts the capture thread.
    public init(
        configuration: Configuration, clock: any WallClock = SystemWallClock(),
        onFailure: (@Sendable (VPXEncoderError) -> Void)? = nil, sink: @escaping @Sendable (EncodedFrame) -> Void
    ) throws(VPXEncoderError) {
        let c = configuration
        guard c.width >= 16, c.height >= 16, c.width <= 16_383, c.height <= 16_383 else {
            throw .invalidInput("frame size \(c.width)x\(c.height)")
        }
        guard (1...240).contains(c.framesPerSecond) else { throw .invalidInput("frame rate \(c.framesPerSecond)") }
        guard (1...1_000_000).contains(c.bitrateKbps) else { throw .invalidInput("bitrate \(c.bitrateKbps) kbit/s") }
        self.configuration = configuration
        control = Mutex(Control(bitrateKbps: c.bitrateKbps))
        finished.enter()
        let finished = finished
        // Weak: the thread must not keep a runner nobody holds alive; it re-checks at every tick.
        let thread = Thread { [weak self] in
            defer { finished.leave() }
            self?.control.withLock { $0.captureThread = pthread_self() }
            Self.captureLoop(configuration: c, clock: clock, sink: sink, onFailure: onFailure) { self }
        }
        thread.name = "marionette-testsrc"
        thread.start()
    }

    /// The next encoded frame will be a key frame (PLI/FIR from the SFU; callers throttle).
    public func requestKeyframe() {
        control.withLock { $0.keyframeRequested = true }
    }

    /// New CBR target, applied before the next frame is encoded.
    public func setBitrate(kbps: Int) {
        control.withLock { $0.bitrateKbps = min(max(kbps, 1), 1_000_000) }
    }

    public var statistics: Statistics { control.withLock { $0.statistics } }

    /// The encoder failure that ended the thread, if any.
    public var failure: VPXEncoderError? { control.withLock { $0.failure } }

    /// Stops the thread and waits for it to finish (at most one frame interval plus one encode).
    /// Idempotent. Called from the sink (the capture thread itself) it only asks the thread to stop.
    public func stop() {
        let onCaptureThread = control.withLock { state -> Bool in
            state.stopping = true
            return state.captureThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        }
        if !onCaptureThread { finished.wait() }
    }

    // MARK: - Capture thread

    private static func captureLoop(
        configuration c: Configuration, clock: any WallClock, sink: @Sendable (EncodedFrame) -> Void,
        onFailure: (@Sendable (VPXEncoderError) -> Void)?, runner: () -> TestSourceRunner?
    ) {
        let encoder: VPXEncoder
        do {
            encoder = try VPXEncoder(codec: c.codec, trackID: c.trackID, bitrateKbps: c.bitrateKbps, framesPerSecond: c.framesPerSecond)
        } catch {
            runner()?.fail(error, onFailure)
            return
        }
        let source = TestPatternSource(width: c.width, height: c.height)
        var frame = I420Frame(width: c.width, height: c.height)  // reused: rendered in place every tick
        let fps = Int64(c.framesPerSecond)
        let start = CaptureClock.monotonicNanoseconds()
        var tick: Int64 = 0
        var index = 0
        while true {
            CaptureClock.sleep(until: start + tick * 1_000_000_000 / fps)
            guard let runner = runner(), let request = runner.beginTick() else { return }
            do {
                if request.bitrateKbps != encoder.bitrateKbps { try encoder.setBitrate(kbps: request.bitrateKbps) }
                // The bar code carries the wall-clock time the picture is made, before encoding.
                source.render(into: &frame, timeMs: clock.now().milliseconds, index: index)
                let captured = CaptureClock.monotonicNanoseconds()
                let encoded = try encoder.encode(
                    i420: frame, ptsMicroseconds: (captured - start) / 1000, forceKeyframe: request.keyframe)
                let encodeMicroseconds = Int((CaptureClock.monotonicNanoseconds() - captured) / 1000)
                for output in encoded { sink(output) }
                index += 1
                // First deadline still ahead: missed ones are skipped, not caught up in a burst.
                let next = max(tick + 1, (CaptureClock.monotonicNanoseconds() - start) * fps / 1_000_000_000 + 1)
                runner.endTick(
                    encoded: encoded, skipped: Int(next - tick - 1), encodeMicroseconds: encodeMicroseconds,
                    keyframeMissed: request.keyframe && encoded.isEmpty)
                tick = next
            } catch {
                runner.fail(error, onFailure)
                return
            }
        }
    }

    /// nil when the thread should stop.
    private func beginTick() -> Tick? {
        control.withLock { state in
            guard !state.stopping else { return nil }
            defer { state.keyframeRequested = false }
            return Tick(bitrateKbps: state.bitrateKbps, keyframe: state.keyframeRequested)
        }
    }

    private func endTick(encoded: [EncodedFrame], skipped: Int, encodeMicroseconds: Int, keyframeMissed: Bool) {
        control.withLock { state in
            state.statistics.framesCaptured += 1
            state.statistics.framesEncoded += encoded.count
            state.statistics.framesDropped += skipped + (encoded.isEmpty ? 1 : 0)
            for frame in encoded {
                state.statistics.bytes += frame.data.count
                if frame.keyframe { state.statistics.keyframes += 1 }
            }
            state.statistics.lastEncodeMicroseconds = encodeMicroseconds
            // Rate control dropped the input that should have been key: ask again.
            if keyframeMissed { state.keyframeRequested = true }
        }
    }

    private func fail(_ error: VPXEncoderError, _ onFailure: (@Sendable (VPXEncoderError) -> Void)?) {
        control.withLock { $0.failure = error }
        onFailure?(error)
    }


}
