#if canImport(Glibc)
import Glibc
#endif

/// Busy CPU time of the whole host (every process, all cores) from /proc/stat, so that a window's
/// figures can say how much else ran on the machine meanwhile.
enum HostCPU {
    /// Seconds of CPU that were not idle or waiting for I/O since boot; nil without /proc.
    static func busySeconds() -> Double? {
        guard let file = fopen("/proc/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.first == "cpu" else { return nil }
        let ticks = fields.dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return nil }
        let busy = ticks.prefix(8).reduce(0, +) - ticks[3] - ticks[4]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
