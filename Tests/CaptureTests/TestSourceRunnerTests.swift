import Core
import Synchronization
import Testing

@testable import Capture

@Suite(.serialized) struct TestSourceRunnerTests {
    /// Collects what the runner delivers, with the wall-clock arrival time of each frame.
    final class Collector: Sendable {
        let frames = Mutex<[(frame: EncodedFrame, arrivedMs: Int64)]>([])
        func add(_ frame: EncodedFrame) {
            let now = SystemWallClock().now().milliseconds
            frames.withLock { $0.append((frame, now)) }
        }
        var count: Int { frames.withLock { $0.count } }
    }

    /// Polls (the cooperative pool may be busy with other suites, so fixed sleeps are unreliable).
    static func wait(upTo seconds: Int = 20, until condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func deliversAboutFpsFramesAndStopsCleanly() async throws {
        let collector = Collector()
        let runner = try TestSourceRunner(
            configuration: .init(trackID: "testsrc", width: 640, height: 360, framesPerSecond: 30, bitrateKbps: 1000),
            sink: { collector.add($0) })
        try await Self.wait { collector.count >= 15 }
        let beforeRequest = collector.count
        runner.requestKeyframe()
        runner.setBitrate(kbps: 500)
        try await Self.wait { collector.count >= beforeRequest + 30 }
        runner.stop()
        let delivered = collector.count
        try await Task.sleep(for: .milliseconds(200))
        #expect(collector.count == delivered, "frames delivered after stop() returned")
        runner.stop()  // idempotent

        // Rate over the frames' own capture clock (pts), which excludes thread start-up. Ticks
        // (captured + skipped) follow the clock exactly; under load some become skips, never a backlog.
        let frames = collector.frames.withLock { $0 }
        let stats = runner.statistics
        let span = Double(frames.last!.frame.ptsMicroseconds - frames[0].frame.ptsMicroseconds) / 1e6
        let skipped = stats.framesDropped - (stats.framesCaptured - stats.framesEncoded)
        let ticks = Double(stats.framesCaptured + skipped)
        // Fewer ticks than the span holds would be drift; many more a burst (or skips after the last frame).
        #expect(ticks >= span * 30 - 1 && ticks <= span * 30 + 8, "\(ticks) ticks over \(span) s at 30 fps")
        let rate = Double(delivered - 1) / span
        #expect(rate >= 15 && rate <= 30.5, "\(delivered) frames over \(span) s")
        #expect(frames.first?.frame.keyframe == true)
        let keyframes = frames.enumerated().filter { $0.element.frame.keyframe }.map(\.offset)
        #expect(keyframes.count == 2 && (beforeRequest...(beforeRequest + 3)).contains(keyframes.last!), "key frames at \(keyframes)")
        let pts = frames.map(\.frame.ptsMicroseconds)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "pts must increase")
        #expect(runner.failure == nil)
        #expect(stats.framesEncoded == delivered && stats.keyframes == 2)
        #expect(stats.framesCaptured >= stats.framesEncoded)

        // The bar code carries the wall-clock capture time: at most a few ms before arrival.
        let decoder = try VPXTestDecoder()
        var read = 0
        for (frame, arrived) in frames {
            guard let time = BarcodeReader.read(try decoder.decode(frame.data)) else { continue }
            read += 1
            #expect(time <= arrived && arrived - time < 500, "captured \(time), arrived \(arrived)")
        }
        #expect(read >= frames.count - 3)
        print("testsrc runner 640x360@30: \(delivered) frames over \(span) s (\(rate) fps), stats \(stats)")
    }

    @Test func stopFromTheSinkDoesNotDeadlock() async throws {
        let runnerBox = Mutex<TestSourceRunner?>(nil)
        let collector = Collector()
        let runner = try TestSourceRunner(
            configuration: .init(trackID: "t", width: 320, height: 180, framesPerSecond: 10, bitrateKbps: 300),
            sink: { frame in
                collector.add(frame)
                if collector.count == 3 { runnerBox.withLock { $0 }?.stop() }
            })
        runnerBox.withLock { $0 = runner }
        try await Self.wait { collector.count >= 3 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(collector.count == 3)
        runner.stop()
        runnerBox.withLock { $0 = nil }
    }

    @Test func rejectsBadConfiguration() {
        #expect(throws: VPXEncoderError.self) {
            try TestSourceRunner(configuration: .init(trackID: "t", framesPerSecond: 0), sink: { _ in })
        }
    }
}
