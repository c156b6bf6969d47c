/// ASCII-only text helpers for HTTP heads: names, tokens and hosts are ASCII, and Unicode-aware
/// `lowercased()` and `Character` walks cost several times more per request.
extension StringProtocol {
    func trimmingASCIISpaces() -> String {
        let bytes = Substring(self).utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 32 || bytes[start] == 9 { start = bytes.index(after: start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 32 || bytes[last] == 9 else { break }
            end = last
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Lower-cases A–Z only, and copies nothing else when there is nothing to change.
    func asciiLowercased() -> String {
        let bytes = utf8
        guard bytes.contains(where: { $0.isASCIIUppercase }) else { return String(decoding: bytes, as: UTF8.self) }
        return String(asciiLowercasing: bytes)
    }
}

extension String {
    /// `bytes` as text with A–Z lower-cased (header names straight from a read buffer, or a string's UTF-8).
    init(asciiLowercasing bytes: some Collection<UInt8>) {
        self.init(unsafeUninitializedCapacity: bytes.count) { out in
            var count = 0
            for byte in bytes {
                out[count] = byte.asciiLowercased
                count += 1
            }
            return count
        }
    }
}

extension UInt8 {
    /// A–Z.
    var isASCIIUppercase: Bool { self &- 65 < 26 }

    /// A–Z lower-cased, every other byte as it is: what header names and tokens compare by.
    var asciiLowercased: UInt8 { isASCIIUppercase ? self | 0x20 : self }
}
