import ArgumentParser
import Foundation
import NIOPosix
import SFU

/// bench/android's viewers: synthetic WHEP viewers (real ICE, DTLS, SRTP, receiver reports; no decode)
/// join an existing Marionette stream in steps (e.g. 1, then 50) and count the frames each one gets:
/// a frame is delivered when its last packet (RTP marker bit) arrives, and complete when no packet of
/// it is missing. Per step, measured over `seconds` after the joins settle: frames/s per viewer (mean
/// and min over the viewers), complete frames/s, kbit/s, loss, and the CPU of the processes named
/// with `--watch name=pid` (utime + stime from /proc, all threads) and of the whole host. One
/// `STEP key=value…` line per step on stdout; progress on stderr.
struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "frames", abstract: "Count the frames viewers of a stream get.")

    @Option(help: "Marionette's API base URL") var url: String
    @Option(help: "API key or viewer token") var token: String
    @Option(help: "stream id") var streamID: String
    @Option(help: "the codec the viewers offer (vp8, h264)") var codec: BenchCodec = .h264
    @Option(help: "viewer counts, comma-separated") var steps = "1,50"
    @Option(help: "seconds measured per step") var seconds = 10.0
    @Option(help: "seconds between the last join of a step and its measurement") var settleSeconds = 3.0
    @Option(help: "seconds for a step's viewers to connect") var connectTimeout = 30.0
    @Option(help: "event-loop threads driving the viewers") var threads = 1
    @Option(help: "viewers joining per second") var joinRate = 50.0
    @Option(help: "decrypt one RTP packet in this many per viewer (an SRTP sanity check)") var decryptEvery = 64
    @Option(help: "name=pid of a process whose CPU is measured over each window (repeatable)") var watch: [String] = []
    @Option(help: "after the last step, keep the viewers until this file exists (at most 10 minutes), then leave")
    var holdUntilFile: String?

    func run() throws {
        let watched: [(name: String, pid: Int32)] = try watch.map { item in
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let pid = Int32(parts[1]) else { throw ValidationError("--watch \(item): expected name=pid") }
            return (String(parts[0]), pid)
        }
        let counts = steps.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty else { throw ValidationError("--steps has no counts") }
        let http = try BlockingHTTPClient(base: url)
        let signaling = WHEPSignaling(http: http, streamID: streamID, token: token, codec: codec)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        defer { try? group.syncShutdownGracefully() }
        let context = try DTLSContext(certificate: try DTLSCertificate(commonName: "android-bench-viewer"))
        let crowd = ViewerCrowd(group: group, context: context, signaling: signaling, decryptEvery: decryptEvery, bindHost: "127.0.0.1")
        defer { crowd.leaveAll(threads: 8) }
        for count in counts {
            let errors = crowd.add(count - crowd.count, threads: 8, perSecond: joinRate)
            let connected = crowd.waitConnected(timeoutSeconds: connectTimeout)
            log("n=\(count): \(connected.connected)/\(crowd.count) viewers connected (\(connected.profiles)); signaling errors \(errors.count)"
                + "\(errors.first.map { ": \($0)" } ?? "")\(connected.firstError.map { "; first viewer error: \($0)" } ?? "")")
            guard errors.isEmpty, connected.connected == crowd.count else {
                BenchOutput.result("STEP viewers=\(count) connect_failures=\(crowd.count - connected.connected + errors.count)")
                break
            }
            Thread.sleep(forTimeInterval: settleSeconds)
            let before = crowd.perViewerStats()
            let processesBefore = watched.map { ProcessSample.read(pid: $0.pid) }
            let selfBefore = ProcessSample.read(pid: 0), hostBefore = HostCPUSample.read()
            let start = MonotonicClock.nanoseconds()
            Thread.sleep(forTimeInterval: seconds)
            let after = crowd.perViewerStats()
            let processesAfter = watched.map { ProcessSample.read(pid: $0.pid) }
            let selfAfter = ProcessSample.read(pid: 0), hostAfter = HostCPUSample.read()
            let wall = Double(MonotonicClock.nanoseconds() - start) / 1e9
            let windows = zip(after, before).map { $0.since($1) }
            let fps = windows.map { Double($0.frames) / wall }
            let complete = windows.map { Double($0.completeFrames) / wall }
            let kbps = windows.map { Double($0.receivedBytes) * 8 / wall / 1000 }
            let received = windows.reduce(UInt64(0)) { $0 + $1.received }
            let expected = windows.reduce(UInt64(0)) { $0 + $1.expected }
            let failures = windows.reduce(UInt64(0)) { $0 + $1.decryptFailures }
            var line = "STEP viewers=\(count) seconds=\(f(wall)) fps_mean=\(f(mean(fps))) fps_min=\(f(fps.min() ?? 0))"
                + " complete_fps_mean=\(f(mean(complete))) complete_fps_min=\(f(complete.min() ?? 0))"
                + " kbps_mean=\(f(mean(kbps))) kbps_min=\(f(kbps.min() ?? 0))"
                + " loss_pct=\(f(expected == 0 ? 100 : max(0, 1 - Double(received) / Double(expected)) * 100))"
                + " decrypt_failures=\(failures)"
            for (index, process) in watched.enumerated() {
                if let a = processesBefore[index], let b = processesAfter[index] {
                    line += " cpu_\(process.name)=\(f(b.cores(since: a)))"
                }
            }
            if let selfBefore, let selfAfter { line += " cpu_viewers=\(f(selfAfter.cores(since: selfBefore)))" }
            if let hostBefore, let hostAfter { line += " cpu_host=\(f(hostAfter.cores(since: hostBefore)))" }
            BenchOutput.result(line)
            log("n=\(count): \(f(mean(fps))) frames/s per viewer (min \(f(fps.min() ?? 0))), \(f(mean(kbps))) kbit/s")
        }
        if let holdUntilFile {
            log("holding \(crowd.count) viewers until \(holdUntilFile) exists")
            let deadline = MonotonicClock.nanoseconds() + 600_000_000_000
            while !FileManager.default.fileExists(atPath: holdUntilFile), MonotonicClock.nanoseconds() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
    private func f(_ value: Double) -> String { String(format: "%.3f", value) }
    private func log(_ text: String) { BenchOutput.log("frames", text) }
}
