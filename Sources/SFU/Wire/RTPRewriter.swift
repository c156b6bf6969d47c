/// Per-viewer in-place RTP rewrite: SSRC, payload type, sequence number,
/// timestamp, marker and header-extension ids.
///
/// Extension ids are remapped through an `RTPExtensionIDMap`. An element whose
/// id has no mapping is removed *in place* by overwriting its header and data
/// bytes with zeros: RFC 8285 §4.1 defines a zero byte as padding that receivers
/// skip in both the one-byte and two-byte forms, so the packet length, the
/// extension block length and every other element stay valid. (Using id 15
/// instead would make receivers stop at that element and lose the ones after it;
/// id 0 with a non-zero length nibble is not a valid padding byte.)
public struct RTPRewriter: Sendable, Equatable {
    /// SSRC to write.
    public var ssrc: UInt32
    /// Payload type to write (0...127).
    public var payloadType: UInt8
    /// Extension id map; nil leaves the extension block untouched.
    public var extensionMap: RTPExtensionIDMap?

    /// Creates a rewriter for one viewer's outgoing stream.
    public init(ssrc: UInt32, payloadType: UInt8, extensionMap: RTPExtensionIDMap? = nil) {
        self.ssrc = ssrc
        self.payloadType = payloadType & 0x7F
        self.extensionMap = extensionMap
    }

    /// Parses `packet`, rewrites it in place and returns the header as rewritten.
    @discardableResult
    public func rewrite(
        _ packet: UnsafeMutableRawBufferPointer,
        sequenceNumber: UInt16, timestamp: UInt32, marker: Bool
    ) throws(RTPParseError) -> RTPHeader {
        var header = try RTPHeader(parsing: UnsafeRawBufferPointer(packet))
        RTPRewriter.setSSRC(ssrc, in: packet)
        RTPRewriter.setPayloadType(payloadType, marker: marker, in: packet)
        RTPRewriter.setSequenceNumber(sequenceNumber, in: packet)
        RTPRewriter.setTimestamp(timestamp, in: packet)
        if let extensionMap {
            RTPRewriter.remapExtensionIDs(in: packet, header: header, map: extensionMap)
        }
        header.ssrc = ssrc
        header.payloadType = payloadType
        header.marker = marker
        header.sequenceNumber = sequenceNumber
        header.timestamp = timestamp
        return header
    }

    /// Writes the SSRC field. Returns false if the buffer is shorter than 12 bytes.
    @discardableResult
    public static func setSSRC(_ ssrc: UInt32, in packet: UnsafeMutableRawBufferPointer) -> Bool {
        guard packet.count >= RTPHeader.fixedLength else { return false }
        RTPBytes.put32(packet, 8, ssrc)
        return true
    }

    /// Writes the timestamp field. Returns false if the buffer is shorter than 12 bytes.
    @discardableResult
    public static func setTimestamp(_ timestamp: UInt32, in packet: UnsafeMutableRawBufferPointer) -> Bool {
        guard packet.count >= RTPHeader.fixedLength else { return false }
        RTPBytes.put32(packet, 4, timestamp)
        return true
    }

    /// Writes the sequence number. Returns false if the buffer is shorter than 12 bytes.
    @discardableResult
    public static func setSequenceNumber(_ sequenceNumber: UInt16, in packet: UnsafeMutableRawBufferPointer) -> Bool {
        guard packet.count >= RTPHeader.fixedLength else { return false }
        RTPBytes.put16(packet, 2, sequenceNumber)
        return true
    }

    /// Writes the payload type (low 7 bits) and marker bit.
    /// Returns false if the buffer is shorter than 12 bytes.
    @discardableResult
    public static func setPayloadType(_ payloadType: UInt8, marker: Bool, in packet: UnsafeMutableRawBufferPointer) -> Bool {
        guard packet.count >= RTPHeader.fixedLength else { return false }
        packet[1] = (marker ? 0x80 : 0) | (payloadType & 0x7F)
        return true
    }

    /// Remaps extension ids in place (see the type documentation for dropped ids).
    /// `header` must come from parsing this same buffer. Returns the number of
    /// elements that were dropped. Unknown extension profiles are left untouched.
    @discardableResult
    public static func remapExtensionIDs(
        in packet: UnsafeMutableRawBufferPointer, header: RTPHeader, map: RTPExtensionIDMap
    ) -> Int {
        guard let form = header.extensionForm else { return 0 }
        var dropped = 0
        var it = header.extensions(in: UnsafeRawBufferPointer(packet))
        while let element = it.next() {
            if let newID = map[element.id] {
                switch form {
                case .oneByte:
                    let old = packet[element.headerOffset]
                    packet[element.headerOffset] = (newID << 4) | (old & 0x0F)
                case .twoByte:
                    packet[element.headerOffset] = newID
                }
            } else {
                RTPBytes.zero(packet, element.headerOffset..<element.valueRange.upperBound)
                dropped += 1
            }
        }
        return dropped
    }
}
