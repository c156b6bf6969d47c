import Capture
#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC for ticks and windows, CLOCK_REALTIME for the bar code's wall-clock time.
enum MonotonicClock {
    static func nanoseconds() -> Int64 { CaptureClock.monotonicNanoseconds() }

    /// Sleeps until the monotonic clock reads `deadline` (returns at once when it has passed).
    static func sleep(until deadline: Int64) { CaptureClock.sleep(until: deadline) }

    /// Milliseconds since the Unix epoch (the bar code's T).
    static func wallMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
