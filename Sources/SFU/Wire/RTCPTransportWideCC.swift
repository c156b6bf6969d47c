/// One packet's status from a transport-wide CC feedback message.
public struct RTCPTWCCPacketStatus: Sendable, Equatable {
    /// Transport-wide sequence number.
    public var sequenceNumber: UInt16
    /// Receive delta in 250 µs units (relative to the previous received packet,
    /// or to the reference time for the first); nil if the packet was not received.
    public var delta: Int16?

    /// Creates a status value.
    public init(sequenceNumber: UInt16, delta: Int16?) {
        self.sequenceNumber = sequenceNumber
        self.delta = delta
    }

    /// Whether the packet was received.
    public var isReceived: Bool { delta != nil }
    /// The receive delta in microseconds, nil if not received.
    public var deltaMicroseconds: Int64? { delta.map { Int64($0) * 250 } }
}

/// A parsed transport-wide congestion control feedback message (RTPFB FMT 15,
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
public struct RTCPTransportWideCC: Sendable, Equatable {
    /// The packet's common header.
    public let header: RTCPPacketHeader
    /// SSRC of the packet sender.
    public let senderSSRC: UInt32
    /// SSRC of the media source.
    public let mediaSSRC: UInt32
    /// First transport-wide sequence number covered.
    public let baseSequenceNumber: UInt16
    /// Number of packets covered.
    public let packetStatusCount: UInt16
    /// Reference time, signed 24-bit, in multiples of 64 ms.
    public let referenceTime: Int32
    /// Feedback packet counter (wraps at 256).
    public let feedbackPacketCount: UInt8
    /// Offset of the first packet chunk in the datagram.
    public let chunksOffset: Int

    init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        guard header.bodyLength >= 16 else { throw .malformed }
        let o = header.bodyOffset
        self.header = header
        senderSSRC = RTPBytes.u32(buffer, o)
        mediaSSRC = RTPBytes.u32(buffer, o + 4)
        baseSequenceNumber = RTPBytes.u16(buffer, o + 8)
        packetStatusCount = RTPBytes.u16(buffer, o + 10)
        referenceTime = RTPBytes.signed24(RTPBytes.u24(buffer, o + 12))
        feedbackPacketCount = buffer[o + 15]
        chunksOffset = o + 16
    }

    /// The reference time in microseconds.
    public var referenceTimeMicroseconds: Int64 { Int64(referenceTime) * 64_000 }

    /// Number of packet statuses carried by `chunk` (before truncation to the status count).
    @inline(__always)
    static func symbolCount(_ chunk: UInt16) -> Int {
        if chunk & 0x8000 == 0 { return Int(chunk & 0x1FFF) }  // run length
        return chunk & 0x4000 == 0 ? 14 : 7  // status vector, 1-bit or 2-bit symbols
    }

    /// Status symbol `k` of `chunk`: 0 not received, 1 small delta, 2 large/negative delta, 3 reserved.
    @inline(__always)
    static func symbol(_ chunk: UInt16, _ k: Int) -> UInt16 {
        if chunk & 0x8000 == 0 { return (chunk >> 13) & 0x3 }
        if chunk & 0x4000 == 0 { return (chunk >> UInt16(13 - k)) & 0x1 }
        return (chunk >> UInt16(12 - 2 * k)) & 0x3
    }

    /// Walks the run-length and status-vector chunks and the receive deltas and
    /// calls `body` once per covered packet, in sequence order.
    ///
    /// The whole message is validated before `body` is first called, so a
    /// malformed message produces no callbacks. Reserved symbol 3 is rejected.
    public func forEachPacket(
        in buffer: UnsafeRawBufferPointer, _ body: (RTCPTWCCPacketStatus) -> Void
    ) throws(RTCPParseError) {
        let end = header.contentEnd
        guard end <= buffer.count, chunksOffset <= end else { throw .truncated }
        let total = Int(packetStatusCount)

        // Pass 1: find where the deltas start and how many delta bytes are needed.
        var o = chunksOffset
        var seen = 0
        var deltaBytes = 0
        while seen < total {
            guard o + 2 <= end else { throw .truncated }
            let chunk = RTPBytes.u16(buffer, o)
            o += 2
            let n = min(Self.symbolCount(chunk), total - seen)
            if chunk & 0x8000 == 0 {
                switch Self.symbol(chunk, 0) {
                case 0: break
                case 1: deltaBytes += n
                case 2: deltaBytes += 2 * n
                default: if n > 0 { throw .malformed }
                }
            } else {
                for k in 0..<n {
                    switch Self.symbol(chunk, k) {
                    case 0: break
                    case 1: deltaBytes += 1
                    case 2: deltaBytes += 2
                    default: throw .malformed
                    }
                }
            }
            seen += n
        }
        var d = o
        guard d + deltaBytes <= end else { throw .truncated }

        // Pass 2: emit.
        o = chunksOffset
        var index = 0
        while index < total {
            let chunk = RTPBytes.u16(buffer, o)
            o += 2
            let n = min(Self.symbolCount(chunk), total - index)
            for k in 0..<n {
                let delta: Int16?
                switch Self.symbol(chunk, k) {
                case 1:
                    delta = Int16(buffer[d])
                    d += 1
                case 2:
                    delta = Int16(bitPattern: RTPBytes.u16(buffer, d))
                    d += 2
                default:
                    delta = nil
                }
                body(RTCPTWCCPacketStatus(
                    sequenceNumber: baseSequenceNumber &+ UInt16(truncatingIfNeeded: index), delta: delta))
                index += 1
            }
        }
    }
}
