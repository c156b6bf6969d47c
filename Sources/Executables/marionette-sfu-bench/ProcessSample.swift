import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process's CPU time (utime + stime, all threads) and resident memory from /proc, read at the
/// edges of a measurement window.
struct ProcessSample: Sendable {
    var cpuSeconds: Double
    var rssKiB: Int
    var wallNanoseconds: UInt64

    /// nil when the process is gone.
    static func read(pid: Int32) -> ProcessSample? {
        let path = pid == 0 ? "self" : String(pid)
        guard let stat = try? String(contentsOfFile: "/proc/\(path)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(path)/status", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "pid (comm)": state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let rssLine = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        let rss = rssLine.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        return ProcessSample(cpuSeconds: (utime + stime) / ticks, rssKiB: rss, wallNanoseconds: MonotonicClock.nanoseconds())
    }

    /// Cores used between `earlier` and this sample (1.0 = one core busy all the time).
    func cores(since earlier: ProcessSample) -> Double {
        let wall = Double(wallNanoseconds - earlier.wallNanoseconds) / 1e9
        return wall > 0 ? (cpuSeconds - earlier.cpuSeconds) / wall : 0
    }
}
