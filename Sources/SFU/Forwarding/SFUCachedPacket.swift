import NIOCore

/// One media packet of a published track as every viewer gets it, stored once (streaming.md §3.4, §3.10):
/// the outgoing sequence number and timestamp, the marker, and the payload as a slice of the received
/// (already unprotected) datagram — never copied until it goes into a viewer's SRTP output buffer.
public struct SFUCachedPacket: Sendable {
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var marker: Bool
    /// Starts a keyframe (VP8 P bit clear, H.264 IDR, VP9 key flag).
    public var keyframeStart: Bool
    /// Monotonic arrival time, nanoseconds (for the NACK age limit and forwarding delay).
    public var arrivalNanoseconds: UInt64
    public var payload: ByteBuffer

    public init(
        sequenceNumber: UInt16, timestamp: UInt32, marker: Bool, keyframeStart: Bool, arrivalNanoseconds: UInt64,
        payload: ByteBuffer
    ) {
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.marker = marker
        self.keyframeStart = keyframeStart
        self.arrivalNanoseconds = arrivalNanoseconds
        self.payload = payload
    }
}
