/// Cumulative counters of one viewer (or of all, summed). The ramp takes two snapshots around a
/// measurement window and subtracts them.
struct ViewerStats: Sendable {
    /// 25 µs buckets up to 100 ms; the last bucket holds everything slower.
    static let bucketNanoseconds: UInt64 = 25_000
    static let bucketCount = 4001

    var connected = 0
    var failed = 0
    /// SRTP packets of the video SSRC received, and how many its sequence numbers say were sent.
    var received: UInt64 = 0
    var expected: UInt64 = 0
    /// RTP bytes (as received, SRTP) of the video SSRC.
    var receivedBytes: UInt64 = 0
    /// Frames whose last packet (RTP marker bit) arrived, and those of them with every packet of the
    /// frame received (no gap in sequence numbers since the previous frame's marker).
    var frames: UInt64 = 0
    var completeFrames: UInt64 = 0
    var rtcpReceived: UInt64 = 0
    var decrypted: UInt64 = 0
    var decryptFailures: UInt64 = 0
    var receiverReportsSent: UInt64 = 0
    var delays = [UInt64](repeating: 0, count: bucketCount)
    var profiles: [String: Int] = [:]
    var firstError: String?

    mutating func add(_ other: ViewerStats) {
        connected += other.connected
        failed += other.failed
        received += other.received
        expected += other.expected
        receivedBytes += other.receivedBytes
        frames += other.frames
        completeFrames += other.completeFrames
        rtcpReceived += other.rtcpReceived
        decrypted += other.decrypted
        decryptFailures += other.decryptFailures
        receiverReportsSent += other.receiverReportsSent
        for i in 0..<Self.bucketCount { delays[i] += other.delays[i] }
        profiles.merge(other.profiles, uniquingKeysWith: +)
        firstError = firstError ?? other.firstError
    }

    /// `self - earlier` for the counters (connection counts and profiles stay as in `self`).
    func since(_ earlier: ViewerStats) -> ViewerStats {
        var out = self
        out.received -= earlier.received
        out.expected -= earlier.expected
        out.receivedBytes -= earlier.receivedBytes
        out.frames -= earlier.frames
        out.completeFrames -= earlier.completeFrames
        out.rtcpReceived -= earlier.rtcpReceived
        out.decrypted -= earlier.decrypted
        out.decryptFailures -= earlier.decryptFailures
        out.receiverReportsSent -= earlier.receiverReportsSent
        for i in 0..<Self.bucketCount { out.delays[i] -= earlier.delays[i] }
        return out
    }

    /// The delay at `quantile` in milliseconds (upper edge of its bucket); infinity past the last
    /// bucket's lower edge (100 ms); nil without samples.
    func delayMilliseconds(quantile: Double) -> Double? {
        let total = delays.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = UInt64((Double(total) * quantile).rounded(.up))
        var seen: UInt64 = 0
        for (i, count) in delays.enumerated() {
            seen += count
            if seen >= rank { return i == Self.bucketCount - 1 ? .infinity : Double(UInt64(i + 1) * Self.bucketNanoseconds) / 1e6 }
        }
        return nil
    }

    mutating func recordDelay(_ nanoseconds: UInt64) {
        delays[min(Int(nanoseconds / Self.bucketNanoseconds), Self.bucketCount - 1)] += 1
    }
}
