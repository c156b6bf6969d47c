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

/// The kernel's UDP receive-buffer drop counter (all sockets): non-zero growth during a window means
/// some packets were lost in a socket queue, the viewers' or the server's.
enum UDPReceiveErrors {
    static func read() -> UInt64 {
        guard let snmp = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return 0 }
        let lines = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return 0 }
        let names = lines[0].split(separator: " "), values = lines[1].split(separator: " ")
        guard let index = names.firstIndex(of: "RcvbufErrors"), index < values.count else { return 0 }
        return UInt64(values[index]) ?? 0
    }
}

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
