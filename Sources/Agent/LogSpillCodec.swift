import Core

/// One spill-file line, written and read by hand. The format is what `JSONEncoder` with sorted
/// keys wrote before (`{"content":…,"level":…,"metadata":{…},"sequence":…,"stream":…,
/// "timestampMs":…}`), so files of either agent version read back; a line of any other shape
/// goes to `JSONDecoder`. Measured: with the memory budget full (a command printing faster than
/// the upload), JSON encoding and decoding of spilled lines took half of the agent's CPU.
enum LogSpillCodec {
    static func encode(_ line: LogLine, into out: inout [UInt8]) {
        appendString(#"{"content":"#, line.content, to: &out)
        appendString(#","level":"#, line.level, to: &out)
        appendStatic(#","metadata":{"#, to: &out)
        var first = true
        for key in line.metadata.keys.sorted() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendString("", key, to: &out)
            appendString(":", line.metadata[key] ?? "", to: &out)
        }
        appendStatic(#"},"sequence":"#, to: &out)
        out.append(contentsOf: String(line.sequence).utf8)
        appendString(#","stream":"#, line.stream, to: &out)
        appendStatic(#","timestampMs":"#, to: &out)
        out.append(contentsOf: String(line.timestampMs).utf8)
        out.append(UInt8(ascii: "}"))
    }

    /// The line, or nil when `bytes` is not exactly the shape `encode` writes.
    static func decode(_ bytes: ArraySlice<UInt8>) -> LogLine? {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = Cursor(bytes: buffer)
            guard cursor.literal(#"{"content":"#), let content = cursor.string(),
                cursor.literal(#","level":"#), let level = cursor.string(),
                cursor.literal(#","metadata":{"#)
            else { return nil }
            var metadata: [String: String] = [:]
            if !cursor.literal("}") {
                while true {
                    guard let key = cursor.string(), cursor.literal(":"), let value = cursor.string() else { return nil }
                    metadata[key] = value
                    if cursor.literal(",") { continue }
                    guard cursor.literal("}") else { return nil }
                    break
                }
            }
            guard cursor.literal(#","sequence":"#), let sequence = cursor.integer(),
                cursor.literal(#","stream":"#), let stream = cursor.string(),
                cursor.literal(#","timestampMs":"#), let timestamp = cursor.integer(),
                cursor.literal("}"), cursor.atEnd
            else { return nil }
            return LogLine(
                sequence: sequence, stream: stream, level: level, content: content, timestampMs: timestamp,
                metadata: metadata)
        }
    }

    private static func appendStatic(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `prefix`, then `value` as a JSON string.
    private static func appendString(_ prefix: StaticString, _ value: String, to out: inout [UInt8]) {
        appendStatic(prefix, to: &out)
        JSONStringEscaping.appendQuoted(value, to: &out)
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
            index += count
            return true
        }

        mutating func integer() -> Int64? {
            let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            var value: Int64 = 0
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                value = sum
                index += 1
            }
            guard index > start else { return nil }
            return negative ? -value : value
        }

        /// A JSON string at the cursor; nil when malformed.
        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    defer { index += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                case UInt8(ascii: "\\"):
                    return escapedString(from: start)
                default:
                    index += 1
                }
            }
            return nil
        }

        private mutating func escapedString(from start: Int) -> String? {
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    continue
                }
                guard index < bytes.count else { return nil }
                let kind = bytes[index]
                index += 1
                switch kind {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        guard literal(#"\u"#), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default: return nil
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
