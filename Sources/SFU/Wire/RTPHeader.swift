/// A parsed RTP fixed header (RFC 3550 §5.1) plus the offsets of the CSRC list,
/// the header-extension block (RFC 8285) and the payload.
///
/// Parsing reads scalars and records offsets into the caller's buffer; it never
/// copies the payload and never allocates.
public struct RTPHeader: Sendable, Equatable {
    /// Size of the fixed RTP header in bytes.
    public static let fixedLength = 12

    /// P bit: the packet ends with padding (`paddingLength` bytes).
    public var padding: Bool
    /// X bit: a header-extension block follows the CSRC list.
    public var hasExtension: Bool
    /// Number of CSRC identifiers (0...15).
    public var csrcCount: UInt8
    /// M bit.
    public var marker: Bool
    /// 7-bit payload type.
    public var payloadType: UInt8
    /// 16-bit sequence number.
    public var sequenceNumber: UInt16
    /// 32-bit media timestamp.
    public var timestamp: UInt32
    /// Synchronisation source.
    public var ssrc: UInt32
    /// The 16-bit "defined by profile" field of the extension block (0 when absent).
    public var extensionProfile: UInt16
    /// Offset of the first extension element (just after the 4-byte extension header).
    /// Equal to `payloadOffset` when there is no extension.
    public var extensionOffset: Int
    /// Length in bytes of the extension element area (length field × 4).
    public var extensionLength: Int
    /// Offset of the payload (= total header length).
    public var payloadOffset: Int
    /// Payload length, excluding padding.
    public var payloadLength: Int
    /// Number of trailing padding bytes (including the count byte), 0 when P is clear.
    public var paddingLength: Int
    /// Total packet length that was parsed.
    public var packetLength: Int

    /// Parses the header of the RTP packet occupying the whole of `buffer`.
    public init(parsing buffer: UnsafeRawBufferPointer) throws(RTPParseError) {
        let n = buffer.count
        guard n >= RTPHeader.fixedLength else { throw .truncated }
        let b0 = buffer[0]
        guard b0 >> 6 == 2 else { throw .badVersion(b0 >> 6) }
        padding = b0 & 0x20 != 0
        hasExtension = b0 & 0x10 != 0
        csrcCount = b0 & 0x0F
        let b1 = buffer[1]
        marker = b1 & 0x80 != 0
        payloadType = b1 & 0x7F
        sequenceNumber = RTPBytes.u16(buffer, 2)
        timestamp = RTPBytes.u32(buffer, 4)
        ssrc = RTPBytes.u32(buffer, 8)

        var offset = RTPHeader.fixedLength + Int(csrcCount) * 4
        guard offset <= n else { throw .truncated }
        if hasExtension {
            guard offset + 4 <= n else { throw .truncated }
            extensionProfile = RTPBytes.u16(buffer, offset)
            extensionLength = Int(RTPBytes.u16(buffer, offset + 2)) * 4
            extensionOffset = offset + 4
            offset = extensionOffset + extensionLength
            guard offset <= n else { throw .truncated }
        } else {
            extensionProfile = 0
            extensionLength = 0
            extensionOffset = offset
        }
        var pad = 0
        if padding {
            guard n > offset else { throw .invalidPadding }
            pad = Int(buffer[n - 1])
            guard pad >= 1, pad <= n - offset else { throw .invalidPadding }
        }
        payloadOffset = offset
        paddingLength = pad
        payloadLength = n - offset - pad
        packetLength = n
    }

    /// Total header length (fixed header + CSRCs + extension block).
    public var headerLength: Int { payloadOffset }

    /// Byte range of the payload (padding excluded).
    public var payloadRange: Range<Int> { payloadOffset..<(payloadOffset + payloadLength) }

    /// Byte range of the extension element area, or nil when X is clear.
    public var extensionRange: Range<Int>? {
        hasExtension ? extensionOffset..<(extensionOffset + extensionLength) : nil
    }

    /// The RFC 8285 form of the extension block, or nil if absent or of an unknown profile.
    public var extensionForm: RTPHeaderExtensionForm? {
        guard hasExtension else { return nil }
        return RTPHeaderExtensionForm(profile: extensionProfile)
    }

    /// The CSRC at `index`, or nil if out of range for this header or the buffer.
    public func csrc(at index: Int, in buffer: UnsafeRawBufferPointer) -> UInt32? {
        guard index >= 0, index < Int(csrcCount) else { return nil }
        let o = RTPHeader.fixedLength + index * 4
        guard o + 4 <= buffer.count else { return nil }
        return RTPBytes.u32(buffer, o)
    }

    /// Non-allocating iterator over the RFC 8285 extension elements in `buffer`
    /// (the same buffer that was parsed). Yields nothing for unknown profiles.
    public func extensions(in buffer: UnsafeRawBufferPointer) -> RTPHeaderExtensionIterator {
        RTPHeaderExtensionIterator(
            buffer: buffer, start: extensionOffset,
            end: hasExtension ? extensionOffset + extensionLength : extensionOffset,
            form: extensionForm)
    }

    /// The byte range of the value of the first extension element with local `id`, if any.
    public func extensionValue(id: UInt8, in buffer: UnsafeRawBufferPointer) -> Range<Int>? {
        var it = extensions(in: buffer)
        while let element = it.next() {
            if element.id == id { return element.valueRange }
        }
        return nil
    }
}
