/// Where a media source's clock stands against the SFU's monotonic clock, so a sender report can say
/// which source instant "now" is. The source clock is a WHIP publisher's NTP wallclock (one sample
/// per publisher sender report) or a runner's capture pts (one sample per frame); all tracks of a
/// stream share one estimate, which keeps their relative timing (lip sync) exactly as the source
/// stamped it.
///
/// The estimate is the smallest `local − source` difference seen: the least delayed sample, so
/// encode time, queueing and network jitter do not move it. It is kept over a sliding window of two
/// halves (`windowNanoseconds` each), so slow drift between the two clocks is followed. A source
/// clock running backwards (a restarted runner's pts begins at zero again) starts over. Pure: the
/// caller passes monotonic nanoseconds.
///
/// Sender reports use ``reportedSourceNanoseconds(atLocal:)``, which follows the estimate at most
/// ``slewPerSecond`` per second: a less delayed sample arriving later (a loaded machine delayed the
/// first ones) would otherwise make the RTP/NTP mapping jump between two reports by that delay.
public struct SFUSourceClock: Sendable, Equatable {
    public let windowNanoseconds: UInt64
    private var currentMinimum: Int64?
    private var previousMinimum: Int64?
    private var windowStart: UInt64 = 0
    private var lastSource: Int64?
    /// The offset sender reports use, and when it last moved towards ``offset``.
    private var reportedOffset: Int64?
    private var reportedAt: UInt64 = 0
    /// How fast the reported offset follows the estimate: 20 ms per second (2 %).
    public static let slewPerSecond: Int64 = 20_000_000

    public init(windowNanoseconds: UInt64 = 10_000_000_000) {
        self.windowNanoseconds = windowNanoseconds
    }

    /// `local − source` in nanoseconds; nil before the first sample.
    public var offset: Int64? {
        switch (currentMinimum, previousMinimum) {
        case (let current?, let previous?): return min(current, previous)
        case (let current?, nil): return current
        case (nil, let previous?): return previous
        case (nil, nil): return nil
        }
    }

    /// One sample: the source clock read `sourceNanoseconds` at (or just before) `localNanoseconds`.
    public mutating func observe(sourceNanoseconds: Int64, localNanoseconds: UInt64) {
        if let lastSource, sourceNanoseconds < lastSource { reset() }
        lastSource = sourceNanoseconds
        let sample = Int64(bitPattern: localNanoseconds) &- sourceNanoseconds
        if currentMinimum == nil && previousMinimum == nil { windowStart = localNanoseconds }
        if localNanoseconds &- windowStart >= windowNanoseconds {
            previousMinimum = currentMinimum
            currentMinimum = nil
            windowStart = localNanoseconds
        }
        currentMinimum = min(currentMinimum ?? sample, sample)
    }

    /// The source clock's reading at `localNanoseconds`; nil before the first sample.
    public func sourceNanoseconds(atLocal localNanoseconds: UInt64) -> Int64? {
        offset.map { Int64(bitPattern: localNanoseconds) &- $0 }
    }

    /// The source clock's reading at `localNanoseconds` for a sender report: the estimate, but moving
    /// towards a new one by at most ``slewPerSecond`` per second since the previous call.
    public mutating func reportedSourceNanoseconds(atLocal localNanoseconds: UInt64) -> Int64? {
        guard let target = offset else { return nil }
        var next = target
        if let reportedOffset {
            let elapsed = Int64(min(localNanoseconds &- reportedAt, 10_000_000_000))
            let step = max(elapsed * Self.slewPerSecond / 1_000_000_000, 0)
            next = min(max(target, reportedOffset - step), reportedOffset + step)
        }
        reportedOffset = next
        reportedAt = localNanoseconds
        return Int64(bitPattern: localNanoseconds) &- next
    }

    /// Forgets everything (a new publisher, a reattached source).
    public mutating func reset() {
        currentMinimum = nil
        previousMinimum = nil
        lastSource = nil
        reportedOffset = nil
    }
}
