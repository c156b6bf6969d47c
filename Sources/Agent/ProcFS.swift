#if canImport(Glibc)
import Glibc
#endif

/// Minimal `/proc` reader (Linux): one record per process from `/proc/<pid>/stat`.
public enum ProcFS {
    public struct ProcessStat: Sendable, Equatable {
        public var pid: pid_t
        public var state: Character
        public var parent: pid_t
        public var processGroup: pid_t
        public var session: pid_t
        /// User + system CPU time in clock ticks.
        public var cpuTicks: Int64
        /// Resident set size in pages.
        public var residentPages: Int64
    }

    public static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    public static let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))

    /// Every process visible in `/proc` (empty where there is no procfs).
    public static func processes() -> [ProcessStat] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var result: [ProcessStat] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = pid_t(name), let stat = stat(of: pid) else { continue }
            result.append(stat)
        }
        return result
    }

    public static func stat(of pid: pid_t) -> ProcessStat? {
        guard let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return parseStat(text)
    }

    /// Parses a `/proc/<pid>/stat` line. The command name (field 2) may contain spaces and
    /// parentheses, so fields are counted from the last `)`.
    public static func parseStat(_ text: String) -> ProcessStat? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
            let pid = pid_t(String(text[..<open]).trimmingWhitespace())
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] = state (field 3), fields[1] = ppid (4), [2] = pgrp (5), [3] = session (6),
        // [11] = utime (14), [12] = stime (15), [21] = rss (24).
        guard fields.count > 21, let state = fields[0].first, let parent = pid_t(fields[1]),
            let group = pid_t(fields[2]), let session = pid_t(fields[3]), let user = Int64(fields[11]),
            let system = Int64(fields[12]), let rss = Int64(fields[21])
        else { return nil }
        return ProcessStat(
            pid: pid, state: state, parent: parent, processGroup: group, session: session,
            cpuTicks: user + system, residentPages: rss)
    }

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            total += count
        }
        return String(decoding: buffer[0..<total], as: UTF8.self)
    }
}
