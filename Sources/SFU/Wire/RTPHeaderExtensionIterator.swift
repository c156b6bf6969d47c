/// The two RFC 8285 header-extension encodings.
public enum RTPHeaderExtensionForm: Sendable, Equatable {
    /// Profile 0xBEDE: 4-bit id (1...14), 4-bit length-minus-one, 1...16 data bytes.
    case oneByte
    /// Profile 0x100X: 8-bit id (1...255), 8-bit length, 0...255 data bytes.
    case twoByte

    /// The "defined by profile" value for the one-byte form.
    public static let oneByteProfile: UInt16 = 0xBEDE
    /// The "defined by profile" value for the two-byte form (low 4 bits are app bits).
    public static let twoByteProfile: UInt16 = 0x1000

    /// Classifies an extension profile value; nil for non-RFC 8285 profiles.
    public init?(profile: UInt16) {
        if profile == RTPHeaderExtensionForm.oneByteProfile {
            self = .oneByte
        } else if profile & 0xFFF0 == RTPHeaderExtensionForm.twoByteProfile {
            self = .twoByte
        } else {
            return nil
        }
    }
}

/// One header-extension element: its local id and offsets into the packet buffer.
public struct RTPHeaderExtensionElement: Sendable, Equatable {
    /// Local identifier (1...14 one-byte form, 1...255 two-byte form).
    public var id: UInt8
    /// Offset of the element's first header byte (the id byte).
    public var headerOffset: Int
    /// Byte range of the element data inside the packet buffer.
    public var valueRange: Range<Int>
}

/// Non-allocating iterator over RFC 8285 extension elements.
///
/// Padding bytes (id 0) are skipped. In the one-byte form an id of 15 stops
/// iteration (RFC 8285 §4.2). An element whose length runs past the block ends
/// iteration and sets `isMalformed`.
///
/// The iterator borrows the packet's raw buffer, so it is not `Sendable`; use it
/// inside `withUnsafeReadableBytes`.
public struct RTPHeaderExtensionIterator: IteratorProtocol, Sequence {
    private let buffer: UnsafeRawBufferPointer
    private var offset: Int
    private let end: Int
    private let form: RTPHeaderExtensionForm?
    /// True once an element overran the extension block.
    public private(set) var isMalformed = false

    init(buffer: UnsafeRawBufferPointer, start: Int, end: Int, form: RTPHeaderExtensionForm?) {
        self.buffer = buffer
        let clampedEnd = Swift.max(0, Swift.min(end, buffer.count))
        self.end = clampedEnd
        self.offset = Swift.max(0, Swift.min(start, clampedEnd))
        self.form = form
    }

    /// Returns the next element, or nil at the end of the block.
    public mutating func next() -> RTPHeaderExtensionElement? {
        guard let form else { return nil }
        while offset < end {
            let first = buffer[offset]
            switch form {
            case .oneByte:
                let id = first >> 4
                if id == 0 {  // padding
                    offset += 1
                    continue
                }
                if id == 15 {  // reserved: stop processing the block
                    offset = end
                    return nil
                }
                let length = Int(first & 0x0F) + 1
                let start = offset + 1
                guard start + length <= end else { return fail() }
                offset = start + length
                return RTPHeaderExtensionElement(id: id, headerOffset: start - 1, valueRange: start..<offset)
            case .twoByte:
                if first == 0 {  // padding
                    offset += 1
                    continue
                }
                guard offset + 2 <= end else { return fail() }
                let length = Int(buffer[offset + 1])
                let start = offset + 2
                guard start + length <= end else { return fail() }
                let header = offset
                offset = start + length
                return RTPHeaderExtensionElement(id: first, headerOffset: header, valueRange: start..<offset)
            }
        }
        return nil
    }

    private mutating func fail() -> RTPHeaderExtensionElement? {
        isMalformed = true
        offset = end
        return nil
    }
}
