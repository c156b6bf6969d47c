#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The monotonic clock the capture threads tick on.
public enum CaptureClock {
    public static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// Sleeps until an absolute monotonic deadline (no drift from relative sleeps adding up);
    /// returns at once when it has passed.
    public static func sleep(until deadline: Int64) {
        #if os(Linux)
        var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &spec, nil) == EINTR {}
        #else
        let remaining = deadline - monotonicNanoseconds()
        if remaining > 0 { usleep(useconds_t(remaining / 1000)) }
        #endif
    }
}
