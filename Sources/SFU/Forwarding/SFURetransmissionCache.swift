/// The per-track packet cache that answers NACKs for every viewer (streaming.md §3.5): a ring indexed by
/// sequence number, 2,048 slots for video and 512 for audio; packets older than the age limit are not
/// resent because at this latency target a late packet is useless.
public struct SFURetransmissionCache: Sendable {
    private var slots: [SFUCachedPacket?]
    private let mask: Int
    public let maxAgeNanoseconds: UInt64

    /// `capacity` is rounded up to a power of two.
    public init(capacity: Int, maxAgeMilliseconds: Int) {
        var size = 1
        while size < max(capacity, 16) { size <<= 1 }
        self.slots = Array(repeating: nil, count: size)
        self.mask = size - 1
        self.maxAgeNanoseconds = UInt64(max(maxAgeMilliseconds, 0)) * 1_000_000
    }

    public var capacity: Int { slots.count }

    public mutating func insert(_ packet: SFUCachedPacket) {
        slots[Int(packet.sequenceNumber) & mask] = packet
    }

    /// The packet with `sequenceNumber` if it is still cached and young enough at `now`.
    public func lookup(_ sequenceNumber: UInt16, now: UInt64) -> SFUCachedPacket? {
        guard let packet = slots[Int(sequenceNumber) & mask], packet.sequenceNumber == sequenceNumber else { return nil }
        guard now &- packet.arrivalNanoseconds <= maxAgeNanoseconds || now < packet.arrivalNanoseconds else { return nil }
        return packet
    }

    public mutating func removeAll() {
        for index in slots.indices { slots[index] = nil }
    }
}
