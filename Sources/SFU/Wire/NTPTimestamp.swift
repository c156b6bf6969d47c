/// A 64-bit NTP timestamp (RFC 5905 §6): whole seconds since 1900-01-01 00:00 UTC in the high 32
/// bits, the binary fraction of a second in the low 32, as RTCP sender reports carry it (RFC 3550 §4).
public struct NTPTimestamp: Sendable, Hashable {
    /// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
    public static let unixEpochOffsetSeconds: UInt64 = 2_208_988_800

    /// The wire value.
    public var rawValue: UInt64

    /// Wraps a wire value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The NTP time of `unixNanoseconds` after the Unix epoch (fraction truncated to 2^-32 s).
    public init(unixNanoseconds: UInt64) {
        let seconds = unixNanoseconds / 1_000_000_000 + Self.unixEpochOffsetSeconds
        let nanoseconds = unixNanoseconds % 1_000_000_000  // < 2^30, so the shift below cannot overflow
        rawValue = seconds << 32 | (nanoseconds << 32) / 1_000_000_000
    }

    /// Whole seconds since 1900.
    public var seconds: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    /// The fraction of a second in 2^-32 s units.
    public var fraction: UInt32 { UInt32(truncatingIfNeeded: rawValue) }

    /// Nanoseconds since 1900, the fraction rounded to the nearest nanosecond. Fits an `Int64`
    /// until the year 2192, so differences between two readings are plain signed arithmetic.
    public var nanosecondsSince1900: Int64 {
        let fractionNanoseconds = (UInt64(fraction) * 1_000_000_000 + (1 << 31)) >> 32
        return Int64(seconds) * 1_000_000_000 + Int64(fractionNanoseconds)
    }

    /// Nanoseconds since the Unix epoch (negative before 1970).
    public var unixNanoseconds: Int64 {
        nanosecondsSince1900 - Int64(Self.unixEpochOffsetSeconds) * 1_000_000_000
    }

    /// The middle 32 bits (16.16 fixed point), as echoed in a report block's LSR field.
    public var compact: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 16) }
}
