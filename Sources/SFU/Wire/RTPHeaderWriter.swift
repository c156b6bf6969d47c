/// Writes an RTP header with optional RFC 8285 one-byte header extensions
/// commonly sent by an SFU: mid, abs-send-time, transport-wide-cc sequence
/// number and playout-delay.
///
/// An extension is written when its id is non-zero (ids must be 1...14).
/// Extensions are written in the order mid, abs-send-time, transport-cc,
/// playout-delay; the block is zero-padded to a 32-bit boundary.
public struct RTPHeaderWriter: Sendable, Equatable {
    /// Payload type (0...127).
    public var payloadType: UInt8
    /// Marker bit.
    public var marker: Bool
    /// Sequence number.
    public var sequenceNumber: UInt16
    /// Media timestamp.
    public var timestamp: UInt32
    /// SSRC.
    public var ssrc: UInt32

    /// Extension id for `urn:ietf:params:rtp-hdrext:sdes:mid` (0 = not written).
    public var midID: UInt8 = 0
    /// The mid value: 1...16 bytes of UTF-8.
    public var mid: String = ""
    /// Extension id for abs-send-time (0 = not written).
    public var absSendTimeID: UInt8 = 0
    /// 24-bit 6.18 fixed-point send time, see `RTPAbsSendTime`.
    public var absSendTime: UInt32 = 0
    /// Extension id for transport-wide-cc (0 = not written).
    public var transportCCID: UInt8 = 0
    /// Transport-wide sequence number.
    public var transportSequenceNumber: UInt16 = 0
    /// Extension id for playout-delay (0 = not written).
    public var playoutDelayID: UInt8 = 0
    /// Minimum playout delay, 12 bits in 10 ms units (0 for "render asap").
    public var playoutDelayMin: UInt16 = 0
    /// Maximum playout delay, 12 bits in 10 ms units.
    public var playoutDelayMax: UInt16 = 0

    /// Creates a writer for the fixed header fields; extensions default to off.
    public init(payloadType: UInt8, marker: Bool = false, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32) {
        self.payloadType = payloadType
        self.marker = marker
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
    }

    /// Bytes of extension elements before padding, validating ids and values.
    private func elementBytes() throws(RTPWriteError) -> Int {
        var total = 0
        if midID != 0 {
            let count = mid.utf8.count
            guard Self.validID(midID), count >= 1, count <= 16 else { throw .invalidValue }
            total += 1 + count
        }
        if absSendTimeID != 0 {
            guard Self.validID(absSendTimeID), absSendTime <= 0xFF_FFFF else { throw .invalidValue }
            total += 4
        }
        if transportCCID != 0 {
            guard Self.validID(transportCCID) else { throw .invalidValue }
            total += 3
        }
        if playoutDelayID != 0 {
            guard Self.validID(playoutDelayID), playoutDelayMin <= 0xFFF, playoutDelayMax <= 0xFFF else {
                throw .invalidValue
            }
            total += 4
        }
        return total
    }

    private static func validID(_ id: UInt8) -> Bool { id >= 1 && id <= 14 }

    /// The number of bytes `write(into:)` will produce.
    public func headerLength() throws(RTPWriteError) -> Int {
        let elements = try elementBytes()
        return elements == 0 ? RTPHeader.fixedLength : RTPHeader.fixedLength + 4 + ((elements + 3) & ~3)
    }

    /// Writes the header at the start of `buffer` and returns the bytes written.
    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTPWriteError) -> Int {
        guard payloadType <= 0x7F else { throw .invalidValue }
        let elements = try elementBytes()
        let padded = (elements + 3) & ~3
        let total = elements == 0 ? RTPHeader.fixedLength : RTPHeader.fixedLength + 4 + padded
        guard buffer.count >= total else { throw .bufferTooSmall(needed: total) }

        buffer[0] = 0x80 | (elements > 0 ? 0x10 : 0)
        buffer[1] = (marker ? 0x80 : 0) | payloadType
        RTPBytes.put16(buffer, 2, sequenceNumber)
        RTPBytes.put32(buffer, 4, timestamp)
        RTPBytes.put32(buffer, 8, ssrc)
        guard elements > 0 else { return total }

        RTPBytes.put16(buffer, 12, RTPHeaderExtensionForm.oneByteProfile)
        RTPBytes.put16(buffer, 14, UInt16(padded / 4))
        var o = 16
        if midID != 0 {
            let count = mid.utf8.count
            buffer[o] = midID << 4 | UInt8(count - 1)
            o += 1
            for byte in mid.utf8 {
                buffer[o] = byte
                o += 1
            }
        }
        if absSendTimeID != 0 {
            buffer[o] = absSendTimeID << 4 | 2
            RTPBytes.put24(buffer, o + 1, absSendTime)
            o += 4
        }
        if transportCCID != 0 {
            buffer[o] = transportCCID << 4 | 1
            RTPBytes.put16(buffer, o + 1, transportSequenceNumber)
            o += 3
        }
        if playoutDelayID != 0 {
            buffer[o] = playoutDelayID << 4 | 2
            RTPBytes.put24(buffer, o + 1, UInt32(playoutDelayMin) << 12 | UInt32(playoutDelayMax))
            o += 4
        }
        RTPBytes.zero(buffer, o..<total)
        return total
    }
}

/// Helpers for the abs-send-time extension
/// (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time): a 24-bit
/// 6.18 fixed-point number of seconds, wrapping every 64 s.
public enum RTPAbsSendTime {
    /// Encodes a monotonic nanosecond clock reading (truncating).
    public static func encode(nanoseconds: UInt64) -> UInt32 {
        // (ns * 2^18) / 1e9 without overflow, then keep the low 24 bits.
        let product = nanoseconds.multipliedFullWidth(by: 1 << 18)
        let (quotient, _) = UInt64(1_000_000_000).dividingFullWidth(product)
        return UInt32(truncatingIfNeeded: quotient) & 0xFF_FFFF
    }

    /// Decodes a 24-bit abs-send-time value into nanoseconds within its 64 s window.
    public static func nanoseconds(from value: UInt32) -> UInt64 {
        (UInt64(value & 0xFF_FFFF) * 1_000_000_000) >> 18
    }

    /// Reads the 3-byte value of an abs-send-time element. Nil if the range is not 3 bytes.
    public static func read(_ buffer: UnsafeRawBufferPointer, valueRange: Range<Int>) -> UInt32? {
        guard valueRange.count == 3, valueRange.lowerBound >= 0, valueRange.upperBound <= buffer.count else {
            return nil
        }
        return RTPBytes.u24(buffer, valueRange.lowerBound)
    }
}
