/// Small text helpers used by the SDP parser.
///
/// They work on UTF-8 bytes and split at ASCII separators only, so results never depend on
/// grapheme clustering (a space followed by a combining mark is still a separator) and are
/// deterministic for any input, which the fuzz round trip relies on. They are concrete
/// (non-generic) and loop over byte arrays so that they stay fast in debug builds too.
enum SDPText {
    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// Whether `text` is `name` or starts with `name` followed by `:` — how an `a=` line value
    /// names its attribute. Compares bytes in place: attribute lookups run this on every line.
    static func value(_ text: String, namesAttribute name: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            guard buffer.count >= name.count else { return false }
            var index = 0
            while index < name.count {
                if buffer[index] != name[index] { return false }
                index += 1
            }
            return buffer.count == name.count || buffer[name.count] == 0x3A
        }
    }

    static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Splits on ASCII spaces and tabs, dropping empty fields.
    static func fields(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var result: [String] = []
        var index = 0
        while index < bytes.count {
            while index < bytes.count, isBlank(bytes[index]) { index += 1 }
            let start = index
            while index < bytes.count, !isBlank(bytes[index]) { index += 1 }
            if index > start { result.append(string(bytes, start..<index)) }
        }
        return result
    }

    /// Splits once at the first occurrence of `separator` (an ASCII byte).
    static func splitOnce(_ text: String, _ separator: UInt8) -> (String, String?) {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count, bytes[index] != separator { index += 1 }
        guard index < bytes.count else { return (text, nil) }
        return (string(bytes, 0..<index), string(bytes, (index + 1)..<bytes.count))
    }

    /// Splits on every occurrence of an ASCII byte, keeping empty fields.
    static func split(_ text: String, _ separator: UInt8) -> [String] {
        let bytes = Array(text.utf8)
        var result: [String] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == separator {
                result.append(string(bytes, start..<index))
                start = index + 1
            }
            index += 1
        }
        result.append(string(bytes, start..<bytes.count))
        return result
    }

    /// Trims ASCII spaces and tabs on both ends.
    static func trimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        if start == 0 && end == bytes.count { return text }
        return string(bytes, start..<end)
    }

    /// ASCII-only lowercase, leaving other bytes untouched.
    static func lowercased(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] += 0x20 }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Case-insensitive ASCII comparison.
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var index = 0
        while index < a.count {
            let x = a[index] >= 0x41 && a[index] <= 0x5A ? a[index] + 0x20 : a[index]
            let y = b[index] >= 0x41 && b[index] <= 0x5A ? b[index] + 0x20 : b[index]
            if x != y { return false }
            index += 1
        }
        return true
    }

    /// Parses a non-negative decimal integer made only of ASCII digits (no sign, no spaces),
    /// rejecting values above `max`.
    static func decimal(_ text: String, max: UInt64) -> UInt64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var value: UInt64 = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(byte - 0x30))
            if o1 || o2 { return nil }
            value = s
        }
        return value <= max ? value : nil
    }

    static func int(_ text: String, max: Int) -> Int? {
        guard max >= 0, let value = decimal(text, max: UInt64(max)) else { return nil }
        return Int(value)
    }

    /// Value of one hex digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    static let hexDigitsUpper: [UInt8] = Array("0123456789ABCDEF".utf8)
    static let hexDigitsLower: [UInt8] = Array("0123456789abcdef".utf8)

    static func hexByte(_ byte: UInt8, uppercase: Bool) -> String {
        let digits = uppercase ? hexDigitsUpper : hexDigitsLower
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }

    /// Keeps error messages bounded when the offending line is huge.
    static func truncated(_ text: String, limit: Int = 120) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > limit else { return text }
        return string(bytes, 0..<limit) + "…"
    }
}
