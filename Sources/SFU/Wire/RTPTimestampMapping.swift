/// One point of an outgoing RTP clock tied to an instant of a source clock in nanoseconds (a WHIP
/// publisher's NTP wallclock, a runner's capture pts), extrapolated at the codec's clock rate. It
/// answers the question a sender report asks (RFC 3550 §6.4.1): which RTP timestamp corresponds to
/// this instant?
public struct RTPTimestampMapping: Sendable, Equatable {
    /// The source-clock instant of `rtpTimestamp`.
    public var sourceNanoseconds: Int64
    /// The RTP timestamp (in the outgoing timeline) at `sourceNanoseconds`.
    public var rtpTimestamp: UInt32
    /// RTP ticks per second (90,000 for video, 48,000 for Opus).
    public var clockRate: UInt32

    /// Ties `rtpTimestamp` to `sourceNanoseconds` for a clock of `clockRate` Hz.
    public init(sourceNanoseconds: Int64, rtpTimestamp: UInt32, clockRate: UInt32) {
        self.sourceNanoseconds = sourceNanoseconds
        self.rtpTimestamp = rtpTimestamp
        self.clockRate = clockRate
    }

    /// The RTP timestamp at `instant` on the source clock, earlier or later than the reference
    /// (mod 2^32, ticks truncated toward the reference). Exact 64-bit arithmetic for spans of up to
    /// ±2^63 ns.
    public func rtpTimestamp(atSourceNanoseconds instant: Int64) -> UInt32 {
        let (delta, overflow) = instant.subtractingReportingOverflow(sourceNanoseconds)
        guard !overflow else { return rtpTimestamp }
        let rate = Int64(clockRate)
        // Whole seconds and the remainder separately, so delta × rate cannot overflow.
        let ticks = (delta / 1_000_000_000) &* rate &+ (delta % 1_000_000_000) * rate / 1_000_000_000
        return rtpTimestamp &+ UInt32(truncatingIfNeeded: ticks)
    }
}
