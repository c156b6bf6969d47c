/// Arrival times of a WHIP publisher's packets by transport-wide sequence number, until they are
/// reported in transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01). A fixed
/// ring (allocated once): recording a packet never allocates. Pure: the caller passes the time.
public struct SFUTransportWideCCRecorder: Sendable {
    /// Ring size (a power of two); a gap wider than this between reports drops the oldest.
    public static let capacity = 1024
    private var arrivals: [Int64]  // µs; -1 = not (yet) received
    private var unwrapper = RTPSequenceUnwrapper()
    /// First extended sequence number the next feedback covers.
    private var nextToReport: Int64?
    /// Feedback messages sent so far (the 8-bit counter in each message).
    public private(set) var feedbackCount: UInt8 = 0

    public init() {
        arrivals = [Int64](repeating: -1, count: Self.capacity)
    }

    /// Whether packets wait to be reported.
    public var hasPending: Bool {
        guard let nextToReport, let highest = unwrapper.highest else { return false }
        return highest >= nextToReport
    }

    /// One packet arrived. Packets older than the last report are ignored (already reported lost).
    public mutating func record(sequenceNumber: UInt16, arrivalMicroseconds: Int64) {
        let extended = unwrapper.unwrap(sequenceNumber)
        if nextToReport == nil { nextToReport = extended }
        guard let start = nextToReport, extended >= start else { return }
        if extended - start >= Int64(Self.capacity) {
            // Too far ahead of the last report: the oldest unreported packets are given up.
            let newStart = extended - Int64(Self.capacity) + 1
            var sequence = start
            while sequence < min(newStart, start + Int64(Self.capacity)) {
                arrivals[slot(sequence)] = -1
                sequence += 1
            }
            nextToReport = newStart
        }
        arrivals[slot(extended)] = arrivalMicroseconds
    }

    private func slot(_ extended: Int64) -> Int { Int(truncatingIfNeeded: extended) & (Self.capacity - 1) }

    /// The next feedback message for everything recorded since the last one (nil when nothing is
    /// pending), and marks what it covers as reported.
    public mutating func nextFeedback(senderSSRC: UInt32, mediaSSRC: UInt32) -> RTCPTransportWideCCBuilder? {
        guard hasPending, let start = nextToReport, let highest = unwrapper.highest else { return nil }
        let count = Int(min(highest - start + 1, Int64(RTCPTransportWideCCBuilder.maxStatusCount)))
        let pending = (0..<count).map { i -> Int64? in
            let value = arrivals[slot(start + Int64(i))]
            return value >= 0 ? value : nil
        }
        guard
            let feedback = RTCPTransportWideCCBuilder(
                senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, baseSequenceNumber: UInt16(truncatingIfNeeded: start),
                feedbackPacketCount: feedbackCount, arrivalsMicroseconds: pending)
        else { return nil }
        for i in 0..<feedback.packetStatusCount { arrivals[slot(start + Int64(i))] = -1 }
        nextToReport = start + Int64(feedback.packetStatusCount)
        feedbackCount &+= 1
        return feedback
    }
}
