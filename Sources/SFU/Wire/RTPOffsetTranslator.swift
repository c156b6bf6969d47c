/// Keeps a viewer's outgoing sequence numbers and timestamps continuous when the
/// forwarded source changes (publisher restart, simulcast layer switch).
///
/// Output = input + offset, modulo 2^16 (sequence) and 2^32 (timestamp). On a
/// switch, `switchSource` picks offsets so that the new source's next packet
/// follows the highest packet already sent.
public struct RTPOffsetTranslator: Sendable, Equatable {
    /// Current sequence-number offset (mod 2^16).
    public private(set) var sequenceOffset: UInt16 = 0
    /// Current timestamp offset (mod 2^32).
    public private(set) var timestampOffset: UInt32 = 0
    /// Highest outgoing sequence number produced so far.
    public private(set) var lastSequenceNumber: UInt16?
    /// Outgoing timestamp that accompanied `lastSequenceNumber`.
    public private(set) var lastTimestamp: UInt32?

    /// Creates a pass-through translator (zero offsets).
    public init() {}

    /// Translates one incoming packet's sequence number and timestamp and records
    /// the output if it is the newest so far.
    public mutating func translate(sequenceNumber: UInt16, timestamp: UInt32) -> (sequenceNumber: UInt16, timestamp: UInt32) {
        let seq = sequenceNumber &+ sequenceOffset
        let ts = timestamp &+ timestampOffset
        if let last = lastSequenceNumber {
            if RTPSequenceUnwrapper.isNewer(seq, than: last) {
                lastSequenceNumber = seq
                lastTimestamp = ts
            }
        } else {
            lastSequenceNumber = seq
            lastTimestamp = ts
        }
        return (seq, ts)
    }

    /// Re-anchors on a new source whose next packet has `firstSequenceNumber` and
    /// `firstTimestamp`: that packet will be emitted as `lastSequenceNumber + 1`
    /// with timestamp `lastTimestamp + timestampGap` (e.g. one frame interval).
    /// Before any packet has been translated the offsets are left unchanged.
    public mutating func switchSource(firstSequenceNumber: UInt16, firstTimestamp: UInt32, timestampGap: UInt32) {
        guard let lastSeq = lastSequenceNumber, let lastTs = lastTimestamp else { return }
        sequenceOffset = (lastSeq &+ 1) &- firstSequenceNumber
        timestampOffset = (lastTs &+ timestampGap) &- firstTimestamp
    }
}
