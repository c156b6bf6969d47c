/// JSON string bodies written by hand on hot paths (log follow records, the agent's spill files,
/// batch inserts), with the escapes `JSONEncoder` uses: `"` and `\` escaped, control characters as
/// `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`, everything else (UTF-8 included) copied as is.
/// Strings are measured first and written with one copy (no escapes) or one pass into space
/// reserved once: agent output such as Claude's stream-json lines has dozens of quotes a line, and
/// a call per escape cost more than the copy.
public enum JSONStringEscaping {
    /// The escaped body's length.
    @inlinable
    public static func escapedCount(_ input: UnsafeBufferPointer<UInt8>) -> Int {
        var count = input.count
        for byte in input where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            switch byte {
            case 0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C: count += 1
            default: count += 5
            }
        }
        return count
    }

    /// Writes the escaped body of `input` at the start of `out`, which holds at least
    /// `escapedCount(input)` bytes. Returns the bytes written.
    @inlinable
    public static func write(_ input: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawBufferPointer) -> Int {
        var at = 0
        for byte in input {
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                out[at] = byte
                at += 1
                continue
            }
            out[at] = 0x5C
            let short: UInt8
            switch byte {
            case 0x22: short = 0x22
            case 0x5C: short = 0x5C
            case 0x0A: short = UInt8(ascii: "n")
            case 0x0D: short = UInt8(ascii: "r")
            case 0x09: short = UInt8(ascii: "t")
            case 0x08: short = UInt8(ascii: "b")
            case 0x0C: short = UInt8(ascii: "f")
            default:
                out[at + 1] = UInt8(ascii: "u")
                out[at + 2] = UInt8(ascii: "0")
                out[at + 3] = UInt8(ascii: "0")
                out[at + 4] = hexDigit(byte >> 4)
                out[at + 5] = hexDigit(byte & 0x0F)
                at += 6
                continue
            }
            out[at + 1] = short
            at += 2
        }
        return at
    }

    @inlinable
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Appends the escaped body of `string` (no quotes).
    @inlinable
    public static func append(_ string: String, to bytes: inout [UInt8]) {
        var string = string
        string.withUTF8 { input in
            let count = escapedCount(input)
            if count == input.count {
                bytes.append(contentsOf: input)
                return
            }
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: count))
            bytes.withUnsafeMutableBytes { raw in
                _ = write(input, to: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
            }
        }
    }

    /// Appends `string` as a JSON string, quotes included.
    @inlinable
    public static func appendQuoted(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        append(string, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
}
