import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The whole host's busy CPU time (all cores, /proc/stat), to show how much of a window's CPU went to
/// processes other than the server and the viewers: on a shared machine they delay both.
struct HostCPUSample {
    var busySeconds: Double
    var wallNanoseconds: UInt64

    static func read() -> HostCPUSample? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 5 else { return nil }
        let idle = fields[3] + fields[4]  // idle + iowait
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return HostCPUSample(busySeconds: (fields.prefix(8).reduce(0, +) - idle) / ticks, wallNanoseconds: MonotonicClock.nanoseconds())
    }

    func cores(since earlier: HostCPUSample) -> Double {
        let wall = Double(wallNanoseconds - earlier.wallNanoseconds) / 1e9
        return wall > 0 ? (busySeconds - earlier.busySeconds) / wall : 0
    }
}
