import ArgumentParser
import Capture
import Foundation

/// Runs Marionette's desktop pipeline (`DesktopSourceRunner`: MIT-SHM grab, libyuv, libvpx VP8 or VP9 on
/// one capture thread) on a display for a measured window after a warm-up, frames going to a sink that
/// counts them, then prints one `name value` line per figure on stdout:
/// frames, fps and kbit/s over the window; the capture thread's CPU per frame and in cores (grab +
/// convert + encode); the whole process's CPU (getrusage: every thread, as /proc counts ffmpeg's);
/// the CPU everything else on the host used meanwhile; the median and p95 time of each stage.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode", abstract: "Measure the desktop capture pipeline on an X display.")

    @Option(help: "X display, e.g. :99") var display: String
    @Option(help: "measured seconds") var seconds = 10.0
    @Option(help: "seconds run before the window, not counted") var warmup = 2.0
    @Option(help: "capture rate") var fps = 30
    @Option(help: "CBR target") var bitrateKbps = 2500
    @Option(help: "vp8 or vp9") var codec = "vp8"

    func validate() throws {
        guard seconds > 0, warmup >= 0 else { throw ValidationError("--seconds must be > 0 and --warmup >= 0") }
        guard VPXCodec(rawValue: codec) != nil else { throw ValidationError("--codec must be vp8 or vp9") }
    }

    /// What is read at both edges of the window.
    private struct Sample {
        var counts: FrameTally.Counts
        var statistics: DesktopSourceRunner.Statistics
        var processCPU: Int
        var hostBusy: Double?
        var time: Int64

        init(_ tally: FrameTally, _ runner: DesktopSourceRunner) {
            counts = tally.counts
            statistics = runner.statistics
            processCPU = ProcessCPU.microseconds()
            hostBusy = HostCPU.busySeconds()
            time = MonotonicClock.nanoseconds()
        }
    }

    func run() throws {
        let tally = FrameTally()
        let configuration = DesktopSourceRunner.Configuration(
            trackID: "desktop-bench", display: display, framesPerSecond: fps, bitrateKbps: bitrateKbps,
            codec: VPXCodec(rawValue: codec) ?? .vp8, startXvfb: false)
        let runner = try DesktopSourceRunner(
            configuration: configuration, onStatus: { tally.record($0) }, sink: { tally.add($0) })
        tally.attach(runner)
        defer {
            runner.stop()
            tally.detach()
        }
        try wait(seconds: 10, tally, until: { tally.counts.frames > 0 }, orFail: "no frame within 10 s")
        try wait(seconds: warmup, tally)
        tally.clearTimings()
        let first = Sample(tally, runner)
        try wait(seconds: seconds, tally)
        let last = Sample(tally, runner)
        let timings = tally.timings
        runner.stop()

        let wall = Double(last.time - first.time) / 1e9
        let frames = last.counts.frames - first.counts.frames
        let threadCPU = Double(last.statistics.captureThreadCPUMicroseconds - first.statistics.captureThreadCPUMicroseconds) / 1e6
        let processCPU = Double(last.processCPU - first.processCPU) / 1e6
        let s = last.statistics
        func line(_ name: String, _ value: String) { BenchLog.result("\(name) \(value)") }
        func line(_ name: String, _ value: Double, _ digits: Int = 3) { line(name, String(format: "%.\(digits)f", value)) }
        line("display", display)
        line("size", "\(s.width)x\(s.height)")
        line("grab_path", s.grabPath?.rawValue ?? "none")
        line("change_detection", s.changeDetection ?? "none")
        line("seconds", wall)
        line("frames_encoded", "\(frames)")
        line("keyframes", "\(last.counts.keyframes - first.counts.keyframes)")
        line("ticks_dropped", "\(s.framesDropped - first.statistics.framesDropped)")
        line("ticks_unchanged", "\(s.framesSkippedUnchanged - first.statistics.framesSkippedUnchanged)")
        line("fps", Double(frames) / wall, 2)
        line("kbps", Double((last.counts.bytes - first.counts.bytes) * 8) / wall / 1000, 1)
        line("thread_cpu_ms_per_frame", frames > 0 ? threadCPU * 1000 / Double(frames) : 0)
        line("thread_cpu_core", threadCPU / wall)
        line("thread_cpu_percent", threadCPU / wall * 100, 1)
        line("process_cpu_ms_per_frame", frames > 0 ? processCPU * 1000 / Double(frames) : 0)
        line("process_cpu_core", processCPU / wall)
        line("process_cpu_percent", processCPU / wall * 100, 1)
        if let before = first.hostBusy, let after = last.hostBusy {
            // Everything else on the host (the scene, Xvfb, other work): how quiet the window was.
            line("other_cpu_core", max(0, after - before - processCPU) / wall)
        }
        for (name, values) in [("grab", timings.grab), ("convert", timings.convert), ("encode", timings.encode)] {
            line("\(name)_ms_p50", Self.percentile(values, 0.5) / 1000)
            line("\(name)_ms_p95", Self.percentile(values, 0.95) / 1000)
        }
    }

    /// Sleeps `seconds` in 10 ms steps, or until `done`; throws when the runner failed meanwhile, or
    /// (with `orFail`) when `done` never held.
    private func wait(
        seconds: Double, _ tally: FrameTally, until done: () -> Bool = { false }, orFail timeout: String? = nil
    ) throws {
        let deadline = MonotonicClock.nanoseconds() + Int64(seconds * 1e9)
        while MonotonicClock.nanoseconds() < deadline {
            if let failure = tally.failure { throw BenchFailure("the desktop pipeline failed: \(failure)") }
            if done() { return }
            usleep(10_000)
        }
        if let timeout { throw BenchFailure(timeout) }
    }

    static func percentile(_ values: [Int], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))])
    }
}
