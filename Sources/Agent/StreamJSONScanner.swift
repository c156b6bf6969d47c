/// A single-pass reader of the stream-json lines that make up almost all of Claude Code's output
/// (`assistant`, `user`, `system`, `rate_limit_event`, `stream_event`): it pulls out the few
/// fields the executor needs without building the whole object, which the general JSON parser
/// does at ~13 µs a line (the budget of the whole agent pipeline is ~20 µs). Anything it does not
/// expect (other types, odd shapes, invalid JSON) returns nil and goes through the general parser.
/// Pure.
struct StreamJSONScanner {
    /// One content block of a message.
    struct Block: Equatable {
        var type = ""
        var name: String?
        var id: String?
        var toolUseID: String?
        var isError = false
        var text: String?
    }

    struct Line: Equatable {
        var type = ""
        var subtype: String?
        var sessionID: String?
        var blocks: [Block] = []
        var hasUsage = false
    }

    static let handledTypes: Set<String> = ["assistant", "user", "system", "rate_limit_event", "stream_event"]

    static func scan(_ line: Substring) -> Line? {
        var copy = line
        return copy.withUTF8 { bytes in
            var scanner = Cursor(bytes: bytes)
            guard let result = scanner.topLevel(), scanner.atEnd(), handledTypes.contains(result.type) else { return nil }
            return result
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        mutating func atEnd() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// The raw bytes of a string without escapes, or nil when it has escapes (then `string()`).
        mutating func key() -> UnsafeBufferPointer<UInt8>? {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            var cursor = start
            while cursor < bytes.count {
                let byte = bytes[cursor]
                if byte == UInt8(ascii: "\"") {
                    index = cursor + 1
                    return UnsafeBufferPointer(rebasing: bytes[start..<cursor])
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                cursor += 1
            }
            return nil
        }

        mutating func string() -> String? {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    defer { index += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { return nil }
                index += 1
            }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if byte < 0x20 { return nil }
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    index += 1
                    continue
                }
                guard index + 1 < bytes.count else { return nil }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: return nil
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: return nil
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        /// Skips one value of any kind; false when it is not valid JSON.
        mutating func skipValue() -> Bool {
            skipSpace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "{"):
                index += 1
                if consume(UInt8(ascii: "}")) { return true }
                repeat {
                    guard string() != nil, consume(UInt8(ascii: ":")), skipValue() else { return false }
                } while consume(UInt8(ascii: ","))
                return consume(UInt8(ascii: "}"))
            case UInt8(ascii: "["):
                index += 1
                if consume(UInt8(ascii: "]")) { return true }
                repeat {
                    guard skipValue() else { return false }
                } while consume(UInt8(ascii: ","))
                return consume(UInt8(ascii: "]"))
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default:
                let start = index
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) || "+-.eE".utf8.contains(bytes[index]) { index += 1 }
                return index > start
            }
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// Calls `field` for each key of an object (the value is next); false when malformed.
        private mutating func object(_ field: (inout Cursor, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
            guard consume(UInt8(ascii: "{")) else { return false }
            if consume(UInt8(ascii: "}")) { return true }
            repeat {
                guard let name = key(), consume(UInt8(ascii: ":")), field(&self, name) else { return false }
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "}"))
        }

        static func equals(_ name: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
            guard name.count == literal.utf8CodeUnitCount else { return false }
            for offset in 0..<name.count where name[offset] != literal.utf8Start[offset] { return false }
            return true
        }

        mutating func topLevel() -> Line? {
            var line = Line()
            var sawType = false
            let ok = object { cursor, name in
                if Self.equals(name, "type") {
                    guard let value = cursor.string() else { return false }
                    line.type = value
                    sawType = true
                    return true
                }
                if Self.equals(name, "subtype") {
                    cursor.skipSpace()
                    if cursor.index < cursor.bytes.count, cursor.bytes[cursor.index] == UInt8(ascii: "\"") {
                        line.subtype = cursor.string()
                        return line.subtype != nil
                    }
                    return cursor.skipValue()
                }
                if Self.equals(name, "session_id") {
                    cursor.skipSpace()
                    if cursor.index < cursor.bytes.count, cursor.bytes[cursor.index] == UInt8(ascii: "\"") {
                        line.sessionID = cursor.string()
                        return line.sessionID != nil
                    }
                    return cursor.skipValue()
                }
                if Self.equals(name, "message") {
                    cursor.skipSpace()
                    guard cursor.index < cursor.bytes.count, cursor.bytes[cursor.index] == UInt8(ascii: "{") else { return cursor.skipValue() }
                    return cursor.message(&line)
                }
                return cursor.skipValue()
            }
            return ok && sawType ? line : nil
        }

        mutating func message(_ line: inout Line) -> Bool {
            object { cursor, name in
                if Self.equals(name, "usage") {
                    line.hasUsage = true
                    return cursor.skipValue()
                }
                guard Self.equals(name, "content") else { return cursor.skipValue() }
                cursor.skipSpace()
                guard cursor.index < cursor.bytes.count, cursor.bytes[cursor.index] == UInt8(ascii: "[") else { return cursor.skipValue() }
                cursor.index += 1
                if cursor.consume(UInt8(ascii: "]")) { return true }
                repeat {
                    cursor.skipSpace()
                    guard cursor.index < cursor.bytes.count, cursor.bytes[cursor.index] == UInt8(ascii: "{") else {
                        guard cursor.skipValue() else { return false }
                        continue
                    }
                    var block = Block()
                    let ok = cursor.object { inner, field in
                        func text() -> String?? {
                            inner.skipSpace()
                            guard inner.index < inner.bytes.count, inner.bytes[inner.index] == UInt8(ascii: "\"") else {
                                return inner.skipValue() ? .some(nil) : nil
                            }
                            return inner.string().map { .some($0) }
                        }
                        if Self.equals(field, "type") {
                            guard let value = text() else { return false }
                            block.type = value ?? ""
                        } else if Self.equals(field, "name") {
                            guard let value = text() else { return false }
                            block.name = value
                        } else if Self.equals(field, "id") {
                            guard let value = text() else { return false }
                            block.id = value
                        } else if Self.equals(field, "tool_use_id") {
                            guard let value = text() else { return false }
                            block.toolUseID = value
                        } else if Self.equals(field, "text") {
                            guard let value = text() else { return false }
                            block.text = value
                        } else if Self.equals(field, "is_error") {
                            inner.skipSpace()
                            if inner.literal("true") {
                                block.isError = true
                            } else if !inner.literal("false") {
                                return inner.skipValue()
                            }
                        } else {
                            return inner.skipValue()
                        }
                        return true
                    }
                    guard ok else { return false }
                    line.blocks.append(block)
                } while cursor.consume(UInt8(ascii: ","))
                return cursor.consume(UInt8(ascii: "]"))
            }
        }
    }
}
