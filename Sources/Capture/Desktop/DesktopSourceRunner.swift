import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The desktop (X11) pipeline of streaming.md §5.2: one dedicated capture thread that grabs the root
/// window (`X11ScreenGrabber`), converts it to I420 (`BGRXConverter`) and encodes VP8
/// (`VPXEncoder`, VP8 or VP9), handing each `EncodedFrame` to `sink`; and one input thread
/// (`DesktopInputWorker`) that injects viewer input with XTEST on its own X connection.
///
/// - Ticks are absolute deadlines `start + n / fps` on the monotonic clock (late ticks are skipped,
///   never queued). A tick grabs only when XDamage reported drawing (or, without DAMAGE, always,
///   and the row hashes decide), and encodes only when the picture changed, a key frame was
///   requested, or `idleRefreshMilliseconds` passed since the last encoded frame (the idle refresh
///   re-encodes the last picture without grabbing). An idle screen thus costs a few syscalls per tick
///   plus two encodes per second.
/// - The first frame and the first frame after a size change are key frames; `.live` is reported
///   after each of them. A root resize recreates the SHM segment, the I420 buffers and the encoder.
/// - When the display cannot be opened, or its connection dies (`xcb_connection_has_error`), the
///   thread reports `.failed(code: "display_unavailable")` and ends; the process is not affected.
/// - With `startXvfb` and no socket for the display, the capture thread starts Xvfb first and stops
///   it when it ends.
/// - With `onEvent`, the cursor and the clipboard go up as `DesktopSourceEvent`s (capture.md §1.5,
///   streaming.md §5.2): the capture thread tracks the cursor shape (XFixes, PNG once per shape) and
///   position (`QueryPointer` on the ticks, at most 60 per second) with `X11CursorTracker`; the
///   input thread opens its connection as soon as the display is up and watches CLIPBOARD with
///   `X11ClipboardWatcher`. Without `onEvent` none of this runs.
/// - `sink` and `onStatus` run on the capture thread, `onEvent` on the capture thread (cursor) and
///   the input thread (clipboard); none of them may block.
public final class DesktopSourceRunner: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var trackID: String
        /// Local X display, `:99`.
        public var display: String
        /// Xvfb's screen size when it has to be started; the capture size is always the screen's.
        public var width: Int
        public var height: Int
        public var framesPerSecond: Int
        public var bitrateKbps: Int
        public var codec: VPXCodec
        /// Start `Xvfb` when the display's socket does not exist.
        public var startXvfb: Bool
        /// Re-encode an unchanged screen this often (capture.md §1.4: 500 ms; at most 2 s).
        public var idleRefreshMilliseconds: Int
        /// The `CaptureClock` instant pts 0 stands for, shared with the stream's audio track (A/V
        /// sync); nil = when capture starts.
        public var clockOrigin: Int64?

        /// streaming.md §5.2 defaults: display :99, 1920×1080 (Xvfb), 30 fps, 2,500 kbit/s, VP8.
        public init(
            trackID: String, display: String = ":99", width: Int = 1920, height: Int = 1080, framesPerSecond: Int = 30,
            bitrateKbps: Int = 2500, codec: VPXCodec = .vp8, startXvfb: Bool = false, idleRefreshMilliseconds: Int = 500,
            clockOrigin: Int64? = nil
        ) {
            self.trackID = trackID
            self.display = display
            self.width = width
            self.height = height
            self.framesPerSecond = framesPerSecond
            self.bitrateKbps = bitrateKbps
            self.codec = codec
            self.startXvfb = startXvfb
            self.idleRefreshMilliseconds = idleRefreshMilliseconds
            self.clockOrigin = clockOrigin
        }
    }

    public struct Statistics: Sendable, Equatable {
        /// Root window grabs (only when damage or the row hashes say something may have changed).
        public var framesGrabbed = 0
        /// Encoded frames handed to the sink.
        public var framesEncoded = 0
        /// Ticks that encoded nothing because the screen had not changed and no refresh was due.
        public var framesSkippedUnchanged = 0
        /// Encodes of an unchanged picture for the idle refresh.
        public var idleRefreshes = 0
        /// Ticks skipped because the previous one ran late, plus inputs rate control dropped.
        public var framesDropped = 0
        public var keyframes = 0
        public var bytes = 0
        public var lastGrabMicroseconds = 0
        public var lastConvertMicroseconds = 0
        public var lastEncodeMicroseconds = 0
        /// CPU time the capture thread has used so far.
        public var captureThreadCPUMicroseconds = 0
        /// Which grab path is in use (nil until the display is open).
        public var grabPath: X11GrabPath?
        /// "damage" (XDamage) or "row-hash" (no DAMAGE extension).
        public var changeDetection: String?
        /// Current capture size (even-cropped), 0 before the first frame.
        public var width = 0
        public var height = 0
        public var inputInjected = 0
        /// Inputs dropped: queue full or display not reachable for input.
        public var inputDropped = 0
    }

    private struct Control {
        var bitrateKbps: Int
        var keyframeRequested = false
        var stopping = false
        var captureThread: pthread_t?
        var statistics = Statistics()
        var failure: DesktopCaptureError?
    }

    private struct Tick {
        var bitrateKbps: Int
        var keyframe: Bool
    }

    public let configuration: Configuration
    private let control: Mutex<Control>
    private let finished = DispatchGroup()
    private let input: DesktopInputWorker

    /// Validates the configuration and starts the capture and input threads. Display problems are
    /// reported through `onStatus`, not thrown: opening a display (or starting Xvfb) blocks.
    ///
    /// `onEvent` receives cursor shapes and positions from the capture thread and clipboard changes
    /// from the input thread, possibly at the same time: it must be thread-safe and must not block
    /// (a slow callback delays frames or input). nil turns cursor and clipboard tracking off.
    public init(
        configuration: Configuration, onStatus: @escaping @Sendable (DesktopSourceStatus) -> Void,
        onEvent: (@Sendable (DesktopSourceEvent) -> Void)? = nil,
        sink: @escaping @Sendable (EncodedFrame) -> Void
    ) throws(DesktopCaptureError) {
        let c = configuration
        guard (1...240).contains(c.framesPerSecond) else {
            throw .invalidConfiguration("frame rate \(c.framesPerSecond)")
        }
        guard (1...1_000_000).contains(c.bitrateKbps) else {
            throw .invalidConfiguration("bitrate \(c.bitrateKbps) kbit/s")
        }
        guard (50...2000).contains(c.idleRefreshMilliseconds) else {
            throw .invalidConfiguration("idle refresh \(c.idleRefreshMilliseconds) ms (50...2000)")
        }
        guard !c.display.isEmpty else { throw .invalidConfiguration("empty display name") }
        if c.startXvfb { _ = try XvfbLauncher(display: c.display, width: c.width, height: c.height) }  // validates
        self.configuration = configuration
        control = Mutex(Control(bitrateKbps: c.bitrateKbps))
        let onClipboard: (@Sendable (String) -> Void)? = onEvent.map { onEvent in
            { @Sendable in onEvent(.clipboard($0)) }
        }
        input = try DesktopInputWorker(display: c.display, onClipboard: onClipboard)
        finished.enter()
        let finished = finished
        // Weak: the thread must not keep a runner nobody holds alive; it re-checks at every tick.
        let thread = Thread { [weak self] in
            defer { finished.leave() }
            self?.control.withLock { $0.captureThread = pthread_self() }
            Self.captureThread(configuration: c, onStatus: onStatus, onEvent: onEvent, sink: sink) { self }
        }
        thread.name = "marionette-desktop"
        thread.start()
    }

    deinit { input.stop() }

    /// The next encoded frame will be a key frame (PLI/FIR from the SFU; callers throttle).
    public func requestKeyframe() {
        control.withLock { $0.keyframeRequested = true }
    }

    /// New CBR target, applied before the next frame is encoded.
    public func setBitrate(kbps: Int) {
        control.withLock { $0.bitrateKbps = min(max(kbps, 1), 1_000_000) }
    }

    /// Queues viewer input for the input thread; never blocks on X.
    public func inject(_ event: DesktopInput) {
        input.submit(event)
    }

    public var statistics: Statistics {
        var stats = control.withLock { $0.statistics }
        let inputStats = input.statistics
        stats.inputInjected = inputStats.injected
        stats.inputDropped = inputStats.dropped
        return stats
    }

    /// Whether the capture thread has ended (stopped, released or failed).
    var captureThreadEnded: Bool { finished.wait(timeout: .now()) == .success }

    /// What ended the capture thread, if it failed.
    public var failure: DesktopCaptureError? { control.withLock { $0.failure } }

    /// Releases held input, stops both threads and waits for them (at most one frame interval plus
    /// one encode, or Xvfb's shutdown). Idempotent. From the sink or `onStatus` (the capture thread
    /// itself) it stops the input thread but only asks the capture thread to stop.
    public func stop() {
        let onCaptureThread = control.withLock { state -> Bool in
            state.stopping = true
            return state.captureThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        }
        input.stop()
        if !onCaptureThread { finished.wait() }
    }

    // MARK: - Capture thread

    private static func captureThread(
        configuration c: Configuration, onStatus: @Sendable (DesktopSourceStatus) -> Void,
        onEvent: (@Sendable (DesktopSourceEvent) -> Void)?, sink: @Sendable (EncodedFrame) -> Void,
        runner: () -> DesktopSourceRunner?
    ) {
        var xvfb: XvfbLauncher?
        defer { xvfb?.stop() }
        do throws(DesktopCaptureError) {
            // A display may be reachable without its socket file (the local provider's sandbox
            // has its own /tmp; Xvfb also listens on the abstract socket): connect first.
            if c.startXvfb && !XvfbLauncher.socketExists(display: c.display) && (try? X11Connection(display: c.display)) == nil {
                let launcher = try XvfbLauncher(display: c.display, width: c.width, height: c.height)
                xvfb = launcher
                try launcher.start()
            }
            let connection = try X11Connection(display: c.display)
            let grabber = try X11ScreenGrabber(connection: connection)
            let damage = X11DamageTracker(connection: connection)
            let cursor = onEvent.map { _ in X11CursorTracker(connection: connection) }
            if onEvent != nil { runner()?.input.connect() }  // the display is up: watch the clipboard
            runner()?.control.withLock {
                $0.statistics.grabPath = grabber.path
                $0.statistics.changeDetection = damage.mode.rawValue
            }
            try captureLoop(
                c, connection, grabber, damage, cursor, onStatus: onStatus, onEvent: onEvent, sink: sink,
                runner: runner)
        } catch {
            runner()?.control.withLock { $0.failure = error }
            onStatus(.failed(code: error.statusCode, message: error.description))
        }
    }

    private static func captureLoop(
        _ c: Configuration, _ connection: X11Connection, _ grabber: X11ScreenGrabber, _ damage: X11DamageTracker,
        _ cursor: X11CursorTracker?, onStatus: @Sendable (DesktopSourceStatus) -> Void,
        onEvent: (@Sendable (DesktopSourceEvent) -> Void)?, sink: @Sendable (EncodedFrame) -> Void,
        runner: () -> DesktopSourceRunner?
    ) throws(DesktopCaptureError) {
        let encoder: VPXEncoder
        do {
            encoder = try VPXEncoder(codec: c.codec, trackID: c.trackID, bitrateKbps: c.bitrateKbps, framesPerSecond: c.framesPerSecond)
        } catch {
            throw .encoder(error)
        }
        var converter = BGRXConverter()
        var liveSize: (width: Int, height: Int)?  // size last announced with .live
        var keyframeDue = true  // first frame, and after a size change
        let fps = Int64(c.framesPerSecond)
        let idleRefresh = Int64(c.idleRefreshMilliseconds) * 1_000_000
        let start = CaptureClock.monotonicNanoseconds()
        let origin = c.clockOrigin ?? start
        var lastEncoded = Int64.min / 2
        var tick: Int64 = 0
        while true {
            let tickTime = start + tick * 1_000_000_000 / fps
            CaptureClock.sleep(until: tickTime)
            guard let runner = runner(), let request = runner.beginTick() else { return }
            cursor?.requestPosition(at: tickTime)  // the reply is read after the tick's work
            connection.drainEvents { event in
                grabber.handle(event)
                damage.handle(event)
                cursor?.handle(event)
            }
            guard !connection.hasError else { throw connection.lostError }
            if let event = cursor?.shapeEvent() { onEvent?(event) }
            if grabber.sizeChangePending { damage.reset() }

            // Grab and convert only when something may have changed.
            var changed = false
            var grabMicroseconds: Int?, convertMicroseconds: Int?
            if damage.needsGrab || converter.frame == nil || grabber.sizeChangePending {
                damage.willGrab()
                let grabStart = CaptureClock.monotonicNanoseconds()
                let image: X11Image
                do { image = try grabber.grab() } catch {
                    throw connection.hasError ? connection.lostError : error
                }
                let grabbed = CaptureClock.monotonicNanoseconds()
                grabMicroseconds = Int((grabbed - grabStart) / 1000)
                changed = damage.didGrab(image) || converter.frame == nil
                if changed {
                    try converter.convert(image)
                    convertMicroseconds = Int((CaptureClock.monotonicNanoseconds() - grabbed) / 1000)
                }
            }
            guard let frame = converter.frame else {  // not reached: a first grab converts or throws
                tick += 1
                continue
            }
            let resized = liveSize.map { $0 != (frame.width, frame.height) } ?? true
            if resized { keyframeDue = true }

            // Encode when changed, on request, or for the idle refresh.
            let now = CaptureClock.monotonicNanoseconds()
            let refreshDue = now - lastEncoded >= idleRefresh
            var encoded: [EncodedFrame] = []
            var encodeMicroseconds: Int?
            let forceKeyframe = request.keyframe || keyframeDue
            if changed || forceKeyframe || refreshDue {
                do {
                    if request.bitrateKbps != encoder.bitrateKbps { try encoder.setBitrate(kbps: request.bitrateKbps) }
                    encoded = try encoder.encode(
                        i420: frame, ptsMicroseconds: (now - origin) / 1000, forceKeyframe: forceKeyframe)
                } catch {
                    throw .encoder(error)
                }
                encodeMicroseconds = Int((CaptureClock.monotonicNanoseconds() - now) / 1000)
                lastEncoded = now
                for output in encoded { sink(output) }
                if encoded.contains(where: \.keyframe) {
                    keyframeDue = false
                    if resized {
                        liveSize = (frame.width, frame.height)
                        onStatus(.live(width: frame.width, height: frame.height, grabPath: grabber.path))
                    }
                }
            }
            if let event = cursor?.positionEvent(width: frame.width, height: frame.height) { onEvent?(event) }
            // A tick that ran late starts the latest missed deadline at once and skips the older
            // ones (no burst): waiting for the next deadline instead cost a whole interval per
            // slightly late frame (1080p video at 24.7 fps instead of 28-29, bench/desktop).
            let next = max(tick + 1, (CaptureClock.monotonicNanoseconds() - start) * fps / 1_000_000_000)
            runner.endTick(
                Outcome(
                    grabbed: grabMicroseconds != nil, grabMicroseconds: grabMicroseconds,
                    convertMicroseconds: convertMicroseconds, encodeMicroseconds: encodeMicroseconds, encoded: encoded,
                    idleRefresh: encodeMicroseconds != nil && !changed && !forceKeyframe,
                    lateTicks: Int(next - tick - 1),
                    keyframeMissed: request.keyframe && !encoded.contains(where: \.keyframe),
                    width: frame.width, height: frame.height, grabPath: grabber.path))
            tick = next
        }
    }

    /// What one tick did, recorded under one lock.
    private struct Outcome {
        var grabbed: Bool
        var grabMicroseconds: Int?
        var convertMicroseconds: Int?
        var encodeMicroseconds: Int?
        var encoded: [EncodedFrame]
        var idleRefresh: Bool
        var lateTicks: Int
        var keyframeMissed: Bool
        var width: Int
        var height: Int
        var grabPath: X11GrabPath
    }

    /// nil when the thread should stop.
    private func beginTick() -> Tick? {
        control.withLock { state in
            guard !state.stopping else { return nil }
            defer { state.keyframeRequested = false }
            return Tick(bitrateKbps: state.bitrateKbps, keyframe: state.keyframeRequested)
        }
    }

    private func endTick(_ outcome: Outcome) {
        let cpu = Self.threadCPUMicroseconds()
        control.withLock { state in
            var s = state.statistics
            if outcome.grabbed { s.framesGrabbed += 1 }
            if let value = outcome.grabMicroseconds { s.lastGrabMicroseconds = value }
            if let value = outcome.convertMicroseconds { s.lastConvertMicroseconds = value }
            if let value = outcome.encodeMicroseconds {
                s.lastEncodeMicroseconds = value
                if outcome.encoded.isEmpty { s.framesDropped += 1 }
                if outcome.idleRefresh { s.idleRefreshes += 1 }
            } else {
                s.framesSkippedUnchanged += 1
            }
            s.framesDropped += outcome.lateTicks
            s.framesEncoded += outcome.encoded.count
            for frame in outcome.encoded {
                s.bytes += frame.data.count
                if frame.keyframe { s.keyframes += 1 }
            }
            s.captureThreadCPUMicroseconds = cpu
            s.width = outcome.width
            s.height = outcome.height
            s.grabPath = outcome.grabPath
            state.statistics = s
            // Rate control dropped the input that should have been key: ask again.
            if outcome.keyframeMissed { state.keyframeRequested = true }
        }
    }

    private static func threadCPUMicroseconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return spec.tv_sec * 1_000_000 + spec.tv_nsec / 1000
    }


}
