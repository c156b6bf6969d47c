#if canImport(Glibc)
import Glibc
#endif

/// CPU time (user + system, all threads) this process has used so far, from getrusage.
enum ProcessCPU {
    static func microseconds() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec
    }
}
