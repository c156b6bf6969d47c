/// A fixed-size (16-entry, no heap) table mapping a publisher's header-extension
/// ids (1...14) to a viewer's negotiated ids (1...14).
///
/// Unmapped ids (and any id above 14) are dropped by `RTPRewriter`.
public struct RTPExtensionIDMap: Sendable, Equatable {
    // Entry i lives in byte (i % 8) of `low` (i < 8) or `high` (i >= 8). 0 = unmapped.
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// An empty map (every extension is dropped).
    public init() {}

    /// The identity map for ids 1...14 (every extension kept as is).
    public static var identity: RTPExtensionIDMap {
        var map = RTPExtensionIDMap()
        for id: UInt8 in 1...14 { map.set(id, to: id) }
        return map
    }

    /// The outgoing id for `incoming`, or nil if it is not mapped.
    public subscript(incoming: UInt8) -> UInt8? {
        guard incoming >= 1, incoming <= 14 else { return nil }
        let shift = UInt64(incoming % 8) * 8
        let word = incoming < 8 ? low : high
        let value = UInt8(truncatingIfNeeded: word >> shift)
        return value == 0 ? nil : value
    }

    /// Maps `incoming` to `outgoing` (nil removes the mapping).
    /// Returns false, leaving the map unchanged, if either id is outside 1...14.
    @discardableResult
    public mutating func set(_ incoming: UInt8, to outgoing: UInt8?) -> Bool {
        guard incoming >= 1, incoming <= 14 else { return false }
        let value = outgoing ?? 0
        if let outgoing, outgoing < 1 || outgoing > 14 { return false }
        let shift = UInt64(incoming % 8) * 8
        let mask = ~(UInt64(0xFF) << shift)
        if incoming < 8 {
            low = (low & mask) | (UInt64(value) << shift)
        } else {
            high = (high & mask) | (UInt64(value) << shift)
        }
        return true
    }
}
