/// JSON string bodies written by hand on hot paths (log follow records, the agent's spill files),
/// with the escapes `JSONEncoder` uses: `"` and `\` escaped, control characters as `\n`, `\r`,
/// `\t`, `\b`, `\f` or `\u00XX`, everything else (UTF-8 included) copied as is.
public enum JSONStringEscaping {
    /// Calls `emit` with consecutive pieces of the escaped body (without the quotes): runs of
    /// bytes that need no escape, and escape sequences.
    @inlinable
    public static func forEachPiece(of string: String, _ emit: (UnsafeRawBufferPointer) -> Void) {
        var string = string
        string.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < index { emit(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index]))) }
                start = index + 1
                escape(byte, emit)
            }
            if start < bytes.count { emit(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...]))) }
        }
    }

    @usableFromInline
    static func escape(_ byte: UInt8, _ emit: (UnsafeRawBufferPointer) -> Void) {
        let short: UInt8?
        switch byte {
        case UInt8(ascii: "\""): short = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): short = UInt8(ascii: "\\")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        default: short = nil
        }
        if let short {
            withUnsafeBytes(of: (UInt8(ascii: "\\"), short)) { emit($0) }
        } else {
            let hex: StaticString = "0123456789abcdef"
            let sequence = (
                UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0x0F)]
            )
            withUnsafeBytes(of: sequence) { emit($0) }
        }
    }
}
