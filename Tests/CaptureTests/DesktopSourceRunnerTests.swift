import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// DesktopSourceRunner on a real Xvfb: first key frame, damage-driven capture, idle cost, failure
/// when the display dies, Xvfb start-up. Serialized: the idle CPU measurement wants a quiet process.
@Suite(.serialized, .enabled(if: DesktopTestDisplay.enabled, DesktopTestDisplay.skipReason))
struct DesktopSourceRunnerTests {
    final class Recorder: Sendable {
        let frames = Mutex<[EncodedFrame]>([])
        let statuses = Mutex<[DesktopSourceStatus]>([])
        var frameCount: Int { frames.withLock { $0.count } }
        var lastFrame: EncodedFrame? { frames.withLock { $0.last } }
        var statusList: [DesktopSourceStatus] { statuses.withLock { $0 } }
        func runner(_ configuration: DesktopSourceRunner.Configuration) throws -> DesktopSourceRunner {
            try DesktopSourceRunner(
                configuration: configuration, onStatus: { status in self.statuses.withLock { $0.append(status) } },
                sink: { frame in self.frames.withLock { $0.append(frame) } })
        }
    }

    /// Mean Y, U, V of a decoded frame's centre (64×64 luma).
    static func centre(_ frame: I420Frame) -> (y: Int, u: Int, v: Int) {
        func mean(_ plane: [UInt8], stride: Int, cx: Int, cy: Int, half: Int) -> Int {
            var sum = 0
            for row in (cy - half)..<(cy + half) {
                for column in (cx - half)..<(cx + half) { sum += Int(plane[row * stride + column]) }
            }
            return sum / (4 * half * half)
        }
        let cx = frame.width / 2, cy = frame.height / 2
        return (
            mean(frame.y, stride: frame.strideY, cx: cx, cy: cy, half: 32),
            mean(frame.u, stride: frame.strideUV, cx: cx / 2, cy: cy / 2, half: 16),
            mean(frame.v, stride: frame.strideUV, cx: cx / 2, cy: cy / 2, half: 16)
        )
    }

    static func processCPUMicroseconds() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
            + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }

    @Test func firstKeyFrameShowsTheScreenAndAnIdleScreenCostsAlmostNothing() throws {
        let display = try DesktopTestDisplay(width: 640, height: 480)
        try display.run("xsetroot", "-solid", "#ff0000")
        let recorder = Recorder()
        let runner = try recorder.runner(
            .init(trackID: "desktop", display: display.display, framesPerSecond: 30, bitrateKbps: 1000))
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { recorder.frameCount >= 1 && !recorder.statusList.isEmpty })
        #expect(recorder.statusList.first == .live(width: 640, height: 480, grabPath: .shmMemfd))
        let first = try #require(recorder.frames.withLock { $0.first })
        #expect(first.keyframe && first.width == 640 && first.height == 480 && first.codec == "vp8")
        let decoder = try VPXTestDecoder()
        let red = Self.centre(try decoder.decode(first.data))
        #expect(abs(red.y - 82) <= 6 && abs(red.u - 90) <= 6 && abs(red.v - 240) <= 6, "decoded \(red)")

        // Idle: after settling, 3 s bring idle refreshes only (2 per second), no grabs.
        usleep(700_000)
        let before = runner.statistics, framesBefore = recorder.frameCount
        let processBefore = Self.processCPUMicroseconds()
        let clockBefore = ContinuousClock.now
        usleep(3_000_000)
        let after = runner.statistics, framesAfter = recorder.frameCount
        let processCPU = Self.processCPUMicroseconds() - processBefore
        let seconds =
            Double((ContinuousClock.now - clockBefore).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - clockBefore).components.seconds)
        let threadCPU = after.captureThreadCPUMicroseconds - before.captureThreadCPUMicroseconds
        let encoded = framesAfter - framesBefore
        print(
            "desktop idle 640x480@30 over \(seconds) s: \(encoded) frames, \(after.framesGrabbed - before.framesGrabbed) grabs, "
                + "\(after.framesSkippedUnchanged - before.framesSkippedUnchanged) skipped ticks, capture thread CPU \(threadCPU) µs "
                + "(\(Double(threadCPU) / seconds / 1e4) % of a core), process CPU \(processCPU) µs "
                + "(\(Double(processCPU) / seconds / 1e4) %); last grab \(after.lastGrabMicroseconds) µs, "
                + "convert \(after.lastConvertMicroseconds) µs, encode \(after.lastEncodeMicroseconds) µs")
        #expect((4...8).contains(encoded), "idle refreshes: \(encoded) frames in 3 s")
        #expect(after.idleRefreshes - before.idleRefreshes == encoded)
        #expect(after.framesGrabbed == before.framesGrabbed, "no grabs while nothing changes")
        #expect(after.framesSkippedUnchanged - before.framesSkippedUnchanged >= 70)
        #expect(Double(threadCPU) < 0.05 * seconds * 1e6, "capture thread used \(threadCPU) µs of CPU in \(seconds) s")

        // A change is grabbed and encoded at once.
        let grabsBefore = runner.statistics.framesGrabbed, countBefore = recorder.frameCount
        try display.run("xsetroot", "-solid", "#0000ff")
        #expect(
            DesktopTestDisplay.wait(upTo: 2) {
                runner.statistics.framesGrabbed > grabsBefore && recorder.frameCount > countBefore
            })
        usleep(100_000)
        for frame in recorder.frames.withLock({ $0.dropFirst() }) { _ = try decoder.decode(frame.data) }
        let blue = Self.centre(try decoder.decode(recorder.lastFrame!.data))
        // Blue: Y 41, Cb 240, Cr 110.
        #expect(abs(blue.y - 41) <= 8 && abs(blue.u - 240) <= 8 && abs(blue.v - 110) <= 8, "decoded \(blue)")

        // Key frame on request, even with nothing changing.
        let keyframes = runner.statistics.keyframes
        runner.requestKeyframe()
        #expect(DesktopTestDisplay.wait(upTo: 2) { runner.statistics.keyframes > keyframes })
        #expect(recorder.frames.withLock { $0.filter(\.keyframe).count } == keyframes + 1)
        runner.setBitrate(kbps: 500)
        runner.stop()
        let delivered = recorder.frameCount
        usleep(200_000)
        #expect(recorder.frameCount == delivered, "frames after stop() returned")
        runner.stop()  // idempotent
        #expect(runner.failure == nil)
        #expect(recorder.statusList.count == 1)
    }

    /// Xvfb cannot resize its screen, so another client sends the root a (synthetic) ConfigureNotify,
    /// which the capture connection receives like a RandR resize's: the grab shrinks to that size, the
    /// encoder restarts with a key frame and `.live` reports the new size; then back again.
    @Test func followsRootSizeChangesWithKeyFrames() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let window = try DesktopTestWindow(display: display.display)
        let recorder = Recorder()
        let runner = try recorder.runner(.init(trackID: "desktop", display: display.display))
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { recorder.statusList.count >= 1 })
        window.announceRootSize(width: 200, height: 121)  // odd height: cropped to 120
        #expect(DesktopTestDisplay.wait { recorder.statusList.count >= 2 })
        window.announceRootSize(width: 320, height: 240)
        #expect(DesktopTestDisplay.wait { recorder.statusList.count >= 3 })
        #expect(
            recorder.statusList == [
                .live(width: 320, height: 240, grabPath: .shmMemfd),
                .live(width: 200, height: 120, grabPath: .shmMemfd),
                .live(width: 320, height: 240, grabPath: .shmMemfd),
            ])
        let frames = recorder.frames.withLock { $0 }
        // The first frame of every size is a key frame, and every frame decodes at its size.
        var previous: (Int, Int)?
        let decoder = try VPXTestDecoder()
        for frame in frames {
            if previous.map({ $0 != (frame.width, frame.height) }) ?? true {
                #expect(frame.keyframe, "\(frame.width)x\(frame.height)")
            }
            previous = (frame.width, frame.height)
            let picture = try decoder.decode(frame.data)
            #expect(picture.width == frame.width && picture.height == frame.height)
        }
        // The statistics follow at the end of the tick that reported the size.
        #expect(DesktopTestDisplay.wait { runner.statistics.width == 320 })
        #expect(runner.failure == nil)
    }

    @Test func killingTheDisplayFailsTheStreamNotTheProcess() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let recorder = Recorder()
        let runner = try recorder.runner(.init(trackID: "desktop", display: display.display))
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { recorder.frameCount >= 1 })
        runner.inject(.pointerMove(x: 0.5, y: 0.5))
        display.stop()
        #expect(DesktopTestDisplay.wait(upTo: 3) { recorder.statusList.count >= 2 })
        guard case .failed(let code, let message)? = recorder.statusList.last else {
            Issue.record("no failure status: \(recorder.statusList)")
            return
        }
        #expect(code == "display_unavailable")
        #expect(message.contains(display.display), "\(message)")
        // The capture thread ended by itself.
        #expect(DesktopTestDisplay.wait(upTo: 2) { runner.captureThreadEnded })
        if case .displayUnavailable? = runner.failure {
        } else {
            Issue.record("failure \(String(describing: runner.failure))")
        }
        // Input to a dead display is dropped, not fatal.
        runner.inject(.text("x"))
        #expect(DesktopTestDisplay.wait(upTo: 2) { runner.statistics.inputDropped >= 1 })
    }

    @Test func missingDisplayFailsAtOnce() throws {
        let number = try #require(DesktopTestDisplay.freeDisplayNumber())
        let recorder = Recorder()
        let runner = try recorder.runner(.init(trackID: "desktop", display: ":\(number)"))
        #expect(DesktopTestDisplay.wait(upTo: 3) { !recorder.statusList.isEmpty })
        guard case .failed("display_unavailable", _)? = recorder.statusList.first else {
            Issue.record("expected display_unavailable, got \(recorder.statusList)")
            return
        }
        runner.stop()
        #expect(recorder.frameCount == 0)
    }

    @Test func startsAndStopsItsOwnXvfb() throws {
        let number = try #require(DesktopTestDisplay.freeDisplayNumber())
        let recorder = Recorder()
        let runner = try recorder.runner(
            .init(trackID: "desktop", display: ":\(number)", width: 320, height: 200, startXvfb: true))
        #expect(DesktopTestDisplay.wait(upTo: 10) { recorder.frameCount >= 1 })
        #expect(recorder.statusList.first == .live(width: 320, height: 200, grabPath: .shmMemfd))
        #expect(XvfbLauncher.socketExists(display: ":\(number)"))
        runner.stop()
        #expect(
            DesktopTestDisplay.wait(upTo: 3) { !XvfbLauncher.socketExists(display: ":\(number)") },
            "Xvfb stopped with the runner")
    }

    @Test func rejectsBadConfiguration() {
        #expect(throws: DesktopCaptureError.self) {
            try DesktopSourceRunner(
                configuration: .init(trackID: "t", framesPerSecond: 0), onStatus: { _ in }, sink: { _ in })
        }
        #expect(throws: DesktopCaptureError.self) {
            try DesktopSourceRunner(
                configuration: .init(trackID: "t", display: "remote:0", startXvfb: true), onStatus: { _ in },
                sink: { _ in })
        }
    }

    /// Per-frame costs at 1920×1080 on this machine (grab, convert, encode of a changing screen).
    @Test func measuresPerFrameCostsAt1080p() throws {
        let display = try DesktopTestDisplay(width: 1920, height: 1080)
        let connection = try X11Connection(display: display.display)
        var converter = BGRXConverter()
        let encoder = try VPXEncoder(trackID: "m", bitrateKbps: 2500)
        func now() -> Int64 {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
        }
        func median(_ values: [Int64]) -> Double { Double(values.sorted()[values.count / 2] / 1000) / 1000 }  // ms, µs precision
        for path in [X11GrabPath.shmMemfd, .getImage] {
            let grabber = try X11ScreenGrabber(connection: connection, paths: [path])
            var grab: [Int64] = [], convert: [Int64] = [], encode: [Int64] = []
            for i in 0..<12 {
                try display.run("xsetroot", "-solid", i % 2 == 0 ? "#336699" : "#996633")
                let t0 = now()
                let image = try grabber.grab()
                let t1 = now()
                try converter.convert(image)
                let t2 = now()
                if path == .shmMemfd {
                    _ = try encoder.encode(i420: converter.frame!, ptsMicroseconds: Int64(i) * 33_333)
                }
                let t3 = now()
                grab.append(t1 - t0)
                convert.append(t2 - t1)
                if path == .shmMemfd && i > 0 { encode.append(t3 - t2) }
            }
            print(
                "desktop 1920x1080 \(path.rawValue): grab p50 \(median(grab)) ms, convert p50 \(median(convert)) ms"
                    + (encode.isEmpty ? "" : ", VP8 encode p50 \(median(encode)) ms (solid colours)"))
        }

        // An idle 1080p screen: idle refreshes (an encode of the same picture every 500 ms) only.
        let recorder = Recorder()
        let runner = try recorder.runner(.init(trackID: "desktop", display: display.display))
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { recorder.frameCount >= 1 })
        usleep(600_000)
        let before = runner.statistics
        let started = ContinuousClock.now
        usleep(2_000_000)
        let after = runner.statistics
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpu = after.captureThreadCPUMicroseconds - before.captureThreadCPUMicroseconds
        print(
            "desktop idle 1920x1080@30 over \(seconds) s: \(after.framesEncoded - before.framesEncoded) frames, "
                + "capture thread CPU \(Double(cpu) / seconds / 1e4) % of a core, refresh encode \(after.lastEncodeMicroseconds) µs")
        #expect(Double(cpu) < 0.05 * seconds * 1e6, "idle 1080p used \(cpu) µs of CPU in \(seconds) s")
    }
}
