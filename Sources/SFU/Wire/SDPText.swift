/// Small, allocation-light text helpers used by the SDP parser.
///
/// Splitting works on UTF-8 code units at ASCII separators only, so it never depends on
/// grapheme clustering (a space followed by a combining mark is still split) and it is
/// deterministic for any input, which the fuzz round-trip relies on.
enum SDPText {
    /// Splits on ASCII spaces and tabs, dropping empty fields.
    static func fields(_ text: Substring) -> [Substring] {
        text.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { Substring($0) }
    }

    static func fields(_ text: String) -> [Substring] {
        fields(Substring(text))
    }

    /// Splits once at the first occurrence of `separator` (an ASCII byte).
    static func splitOnce(_ text: Substring, _ separator: UInt8) -> (Substring, Substring?) {
        guard let index = text.utf8.firstIndex(of: separator) else { return (text, nil) }
        let head = Substring(text.utf8[text.utf8.startIndex..<index])
        let tail = Substring(text.utf8[text.utf8.index(after: index)...])
        return (head, tail)
    }

    /// Splits on every occurrence of an ASCII byte, keeping empty fields.
    static func split(_ text: Substring, _ separator: UInt8) -> [Substring] {
        text.utf8.split(separator: separator, omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// Trims ASCII spaces and tabs on both ends.
    static func trimmed(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else {
            return Substring(utf8[utf8.endIndex...])
        }
        var last = utf8.index(before: utf8.endIndex)
        while last > first, utf8[last] == 0x20 || utf8[last] == 0x09 {
            last = utf8.index(before: last)
        }
        return Substring(utf8[first...last])
    }

    /// ASCII-only lowercase, leaving other bytes untouched.
    static func lowercased(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Case-insensitive ASCII comparison.
    static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        for (a, b) in zip(lhs.utf8, rhs.utf8) {
            let la = a >= 0x41 && a <= 0x5A ? a + 0x20 : a
            let lb = b >= 0x41 && b <= 0x5A ? b + 0x20 : b
            if la != lb { return false }
        }
        return true
    }

    /// Parses a non-negative decimal integer made only of ASCII digits (no sign, no spaces),
    /// rejecting values above `max`.
    static func decimal(_ text: some StringProtocol, max: UInt64) -> UInt64? {
        guard !text.utf8.isEmpty, text.utf8.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(byte - 0x30))
            if o1 || o2 { return nil }
            value = s
        }
        return value <= max ? value : nil
    }

    static func int(_ text: some StringProtocol, max: Int) -> Int? {
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

    static let hexDigitsUpper: [Character] = Array("0123456789ABCDEF")
    static let hexDigitsLower: [Character] = Array("0123456789abcdef")

    static func hexByte(_ byte: UInt8, uppercase: Bool) -> String {
        let digits = uppercase ? hexDigitsUpper : hexDigitsLower
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// Keeps error messages bounded when the offending line is huge.
    static func truncated(_ text: String, limit: Int = 120) -> String {
        guard text.utf8.count > limit else { return text }
        return String(decoding: text.utf8.prefix(limit), as: UTF8.self) + "…"
    }
}
