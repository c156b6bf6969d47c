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
public struct SFUSourceClock: Sendable, Equatable {
    public let windowNanoseconds: UInt64
    private var currentMinimum: Int64?
    private var previousMinimum: Int64?
    private var windowStart: UInt64 = 0
    private var lastSource: Int64?

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

    /// Forgets everything (a new publisher, a reattached source).
    public mutating func reset() {
        currentMinimum = nil
        previousMinimum = nil
        lastSource = nil
    }
}
