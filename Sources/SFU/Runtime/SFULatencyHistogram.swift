/// A latency histogram kept on the SFU's event loop (no locks, no allocation per sample) and read
/// with the stats: fixed upper bounds from 0.25 ms to 5 s, counts per bucket, the sum and count.
/// The metrics `marionette_sfu_forward_delay_seconds` and `marionette_stream_first_frame_seconds`
/// are rendered from it (streaming.md §9).
public struct SFULatencyHistogram: Sendable, Equatable {
    /// Upper bounds of the buckets, in nanoseconds; a last, unbounded bucket follows.
    public static let boundsNanoseconds: [UInt64] = [
        250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000,
        200_000_000, 300_000_000, 500_000_000, 1_000_000_000, 2_000_000_000, 5_000_000_000,
    ]

    /// Samples per bucket (not cumulative); one more entry than there are bounds.
    public private(set) var counts = [UInt64](repeating: 0, count: boundsNanoseconds.count + 1)
    public private(set) var sumNanoseconds: UInt64 = 0
    public private(set) var count: UInt64 = 0

    public init() {}

    public mutating func record(nanoseconds value: UInt64) {
        var index = 0
        while index < Self.boundsNanoseconds.count, value > Self.boundsNanoseconds[index] { index += 1 }
        counts[index] &+= 1
        sumNanoseconds &+= value
        count &+= 1
    }

    /// Another worker's samples.
    public mutating func add(_ other: SFULatencyHistogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        sumNanoseconds &+= other.sumNanoseconds
        count &+= other.count
    }
}
