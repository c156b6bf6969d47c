/// One media packet after its header: exactly one MediaCodec output buffer, i.e. one access unit
/// (video) or one encoded audio packet. Config packets are reported separately (no PTS).
public struct ScrcpyMediaPacket: Sendable, Equatable {
    public var isKeyFrame: Bool
    /// Device monotonic clock, microseconds; not zero-based.
    public var ptsMicroseconds: UInt64
    public var payload: [UInt8]

    public init(isKeyFrame: Bool, ptsMicroseconds: UInt64, payload: [UInt8]) {
        self.isKeyFrame = isKeyFrame
        self.ptsMicroseconds = ptsMicroseconds
        self.payload = payload
    }
}
