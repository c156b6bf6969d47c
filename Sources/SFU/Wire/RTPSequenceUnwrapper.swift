/// Extends 16-bit RTP sequence numbers to 64 bits, handling wrap-around and
/// reordering.
///
/// Each new value is placed at the distance closest to the highest value seen so
/// far (a forward jump of up to 32767 counts as newer; 32768 or more back counts as
/// older). The first value is returned as-is, so packets reordered before it may
/// yield negative extended numbers.
public struct RTPSequenceUnwrapper: Sendable, Equatable {
    /// Highest extended sequence number returned so far.
    public private(set) var highest: Int64?

    /// Creates an unwrapper with no history.
    public init() {}

    /// Returns the extended sequence number for `sequenceNumber`.
    public mutating func unwrap(_ sequenceNumber: UInt16) -> Int64 {
        guard let highest else {
            self.highest = Int64(sequenceNumber)
            return Int64(sequenceNumber)
        }
        let delta = Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: highest))
        let extended = highest + Int64(delta)
        if extended > highest { self.highest = extended }
        return extended
    }

    /// True if `a` is newer than `b` in 16-bit serial-number arithmetic.
    public static func isNewer(_ a: UInt16, than b: UInt16) -> Bool {
        a != b && (a &- b) < 0x8000
    }
}
