/// The last keyframe of a video track and every packet after it (streaming.md §3.6), so a viewer who
/// joins sees a picture at once instead of waiting for the next keyframe. Bounded in bytes: a group
/// larger than the limit is dropped until the next keyframe starts a new one.
public struct SFUKeyframeCache: Sendable {
    public private(set) var packets: [SFUCachedPacket] = []
    public private(set) var bytes = 0
    public let maxBytes: Int
    private var overflowed = false

    public init(maxBytes: Int = 4 << 20) {
        self.maxBytes = maxBytes
    }

    /// Records a packet; a keyframe start begins a new group.
    public mutating func record(_ packet: SFUCachedPacket) {
        if packet.keyframeStart {
            packets.removeAll(keepingCapacity: true)
            bytes = 0
            overflowed = false
        }
        guard !overflowed, !packets.isEmpty || packet.keyframeStart else { return }
        bytes += packet.payload.readableBytes
        if bytes > maxBytes {
            packets.removeAll()
            bytes = 0
            overflowed = true
            return
        }
        packets.append(packet)
    }

    /// The cached group when it spans at most `maxMilliseconds` of media at `clockRate`; empty otherwise
    /// (a long group would replay seconds of stale video; a fresh keyframe is requested instead).
    public func joinBurst(maxMilliseconds: Int, clockRate: UInt32) -> ArraySlice<SFUCachedPacket> {
        guard let first = packets.first, let last = packets.last else { return [] }
        let span = UInt64(last.timestamp &- first.timestamp) * 1000 / UInt64(max(clockRate, 1))
        return span <= UInt64(maxMilliseconds) ? packets[...] : []
    }

    public mutating func removeAll() {
        packets.removeAll()
        bytes = 0
        overflowed = false
    }
}
