/// A device message (device → client on the control socket, scrcpy.md §7); identical in 3.3.4 and
/// 4.1. Parsed as the reference client does; encoded as the server does (for the simulator).
public enum ScrcpyDeviceMessage: Sendable, Equatable {
    /// The device clipboard changed (autosync), or the answer to GET_CLIPBOARD with autosync off.
    case clipboard(String)
    /// Echo of a SET_CLIPBOARD sequence (sent even when setting failed).
    case ackClipboard(sequence: UInt64)
    /// A HID output report (e.g. keyboard LEDs) of the UHID device `id`.
    case uhidOutput(id: UInt16, data: [UInt8])

    /// Largest message (2^18 bytes): the reference client's receive buffer.
    public static let maxSize = 1 << 18
    /// 2^18 − 5: the server cuts longer clipboard text at a character boundary.
    public static let clipboardTextMaxLength = maxSize - 5

    /// The type byte.
    public var typeCode: UInt8 {
        switch self {
        case .clipboard: 0
        case .ackClipboard: 1
        case .uhidOutput: 2
        }
    }

    /// How many bytes the message starting at `prefix` needs, as far as `prefix` tells (more than
    /// `prefix.count` while its length fields are incomplete). Throws for an unknown type and for a
    /// message that could not fit the 2^18-byte buffer.
    public static func requiredLength(_ prefix: UnsafeRawBufferPointer) throws(ScrcpyProtocolError) -> Int {
        guard let type = prefix.first else { return 1 }
        let total: Int
        switch type {
        case 0:
            guard prefix.count >= 5 else { return 5 }
            total = 5 + Int(ScrcpyBytes.u32(prefix, 1))
        case 1:
            total = 9
        case 2:
            guard prefix.count >= 5 else { return 5 }
            total = 5 + Int(ScrcpyBytes.u16(prefix, 3))
        default:
            throw .unknownDeviceMessageType(type)
        }
        guard total <= maxSize else { throw .messageTooLarge(size: total, limit: maxSize) }
        return total
    }

    /// Parses the message at the start of `buffer`: the message and its length, or nil when
    /// `buffer` holds only part of it.
    public static func parse(
        _ buffer: UnsafeRawBufferPointer
    ) throws(ScrcpyProtocolError) -> (message: ScrcpyDeviceMessage, length: Int)? {
        let need = try requiredLength(buffer)
        guard buffer.count >= need else { return nil }
        return (decode(UnsafeRawBufferPointer(rebasing: buffer[0..<need])), need)
    }

    /// Decodes one complete message whose length `requiredLength` validated.
    static func decode(_ b: UnsafeRawBufferPointer) -> ScrcpyDeviceMessage {
        switch b[0] {
        case 0: .clipboard(ScrcpyBytes.string(UnsafeRawBufferPointer(rebasing: b[5...])))
        case 1: .ackClipboard(sequence: ScrcpyBytes.u64(b, 1))
        default: .uhidOutput(id: ScrcpyBytes.u16(b, 1), data: Array(b[5...]))
        }
    }

    /// Appends the message as the server writes it: clipboard text cut to 262,139 bytes at a
    /// character boundary, a HID report refused above 65,535 bytes (u16 length).
    public func write(to out: inout [UInt8]) throws(ScrcpyProtocolError) {
        switch self {
        case .clipboard(let text):
            out.append(0)
            ScrcpyBytes.withUTF8(text) { utf8 in
                let n = ScrcpyBytes.utf8TruncationLength(utf8, maxBytes: Self.clipboardTextMaxLength)
                ScrcpyBytes.append(UInt32(n), to: &out)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[0..<n]))
            }
        case .ackClipboard(let sequence):
            out.append(1)
            ScrcpyBytes.append(sequence, to: &out)
        case .uhidOutput(let id, let data):
            guard data.count <= Int(UInt16.max) else {
                throw .valueTooLong(field: "UHID output report", length: data.count, limit: Int(UInt16.max))
            }
            out.append(2)
            ScrcpyBytes.append(id, to: &out)
            ScrcpyBytes.append(UInt16(data.count), to: &out)
            out.append(contentsOf: data)
        }
    }

    public func encoded() throws(ScrcpyProtocolError) -> [UInt8] {
        var out: [UInt8] = []
        try write(to: &out)
        return out
    }
}
