import NIOCore

/// An HTTP/1.x request or response head as the tunnel ingress sees it: its bytes as read, the
/// start line split in three, and where each header field's name and (trimmed) value lie in those
/// bytes. Every request and response of a tunnel passes through one, so fields stay byte ranges:
/// lookups compare bytes and the rewriter copies them, and a `String` is made only when asked for.
struct HTTPHead: Sendable, Equatable {
    /// Offsets into ``bytes`` (from its reader index).
    struct Field: Sendable, Equatable {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    /// The head's bytes, start line to blank line.
    let bytes: ByteBuffer
    /// Request: method, target, version. Response: version, status, reason (possibly empty).
    let startLine: (String, String, String)
    /// In order of appearance.
    let fields: [Field]

    /// `fields` must lie inside `bytes` (the parser's output).
    init(bytes: ByteBuffer, startLine: (String, String, String), fields: [Field]) {
        self.bytes = bytes
        self.startLine = startLine
        self.fields = fields
    }

    static func == (a: HTTPHead, b: HTTPHead) -> Bool {
        a.startLine == b.startLine && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Runs `body` on the head's bytes (field offsets index them).
    @inline(__always)
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeReadableBytes(body)
    }

    // MARK: strings (copies; for cold paths and tests)

    func name(at index: Int) -> String { text(fields[index].nameStart, fields[index].nameEnd) }
    func value(at index: Int) -> String { text(fields[index].valueStart, fields[index].valueEnd) }

    /// Every field as strings, names as sent.
    var headers: [(name: String, value: String)] { fields.indices.map { (name(at: $0), value(at: $0)) } }

    /// Every field name lower-cased.
    var keys: [String] {
        withBytes { raw in
            fields.map { String(asciiLowercasing: UnsafeRawBufferPointer(rebasing: raw[Int($0.nameStart)..<Int($0.nameEnd)])) }
        }
    }

    private func text(_ start: Int32, _ end: Int32) -> String {
        withBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[Int(start)..<Int(end)]), as: UTF8.self) }
    }

    // MARK: lookups (no copies)

    /// Field `index` is named `name` (lower-case), compared ignoring ASCII case.
    func nameIs(_ index: Int, _ name: StaticString) -> Bool {
        withBytes { Self.nameIs(fields[index], name, in: $0) }
    }

    /// Field `index`'s name starts with `prefix` (lower-case), ignoring ASCII case.
    func nameHasPrefix(_ index: Int, _ prefix: StaticString) -> Bool {
        withBytes { Self.nameHasPrefix(fields[index], prefix, in: $0) }
    }

    static func nameIs(_ field: Field, _ name: StaticString, in raw: UnsafeRawBufferPointer) -> Bool {
        equalsIgnoringCase(raw, Int(field.nameStart), Int(field.nameEnd), name)
    }

    /// Field `index`'s name starts with `prefix` (lower-case), ignoring ASCII case.
    static func nameHasPrefix(_ field: Field, _ prefix: StaticString, in raw: UnsafeRawBufferPointer) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard Int(field.nameEnd - field.nameStart) >= length else { return false }
        return equalsIgnoringCase(raw, Int(field.nameStart), Int(field.nameStart) + length, prefix)
    }

    /// `raw[start..<end]` equals `lower` (lower-case ASCII) ignoring ASCII case.
    static func equalsIgnoringCase(_ raw: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lower: StaticString) -> Bool {
        let count = lower.utf8CodeUnitCount
        guard end - start == count else { return false }
        let expected = lower.utf8Start
        for offset in 0..<count {
            if raw[start + offset].asciiLowercased != expected[offset] { return false }
        }
        return true
    }

    /// The index of the first field named `name` (lower-case).
    func firstIndex(_ name: StaticString) -> Int? {
        withBytes { raw in fields.firstIndex { Self.nameIs($0, name, in: raw) } }
    }

    func first(_ name: StaticString) -> String? { firstIndex(name).map(value(at:)) }

    /// Comma-separated tokens of a header such as `Connection`, lower-cased.
    func tokens(_ name: StaticString) -> [String] {
        var tokens: [String] = []
        forEachToken(name) { raw, start, end in
            tokens.append(String(asciiLowercasing: UnsafeRawBufferPointer(rebasing: raw[start..<end])))
            return true
        }
        return tokens
    }

    /// The header `name` (lower-case) lists `token` (lower-case), ignoring ASCII case.
    func hasToken(_ name: StaticString, _ token: StaticString) -> Bool {
        var found = false
        forEachToken(name) { raw, start, end in
            found = Self.equalsIgnoringCase(raw, start, end, token)
            return !found
        }
        return found
    }

    /// The last token of the header `name` (lower-case) is `token`; nil when it has none.
    func lastToken(_ name: StaticString, is token: StaticString) -> Bool? {
        var last: Bool?
        forEachToken(name) { raw, start, end in
            last = Self.equalsIgnoringCase(raw, start, end, token)
            return true
        }
        return last
    }

    /// Field `index`'s name is one of the `Connection` tokens (a hop-by-hop field it names).
    func isListedInConnection(_ index: Int) -> Bool {
        let field = fields[index]
        var listed = false
        forEachToken("connection") { raw, start, end in
            listed = Self.equalsIgnoringCaseBoth(raw, start, end, Int(field.nameStart), Int(field.nameEnd))
            return !listed
        }
        return listed
    }

    private static func equalsIgnoringCaseBoth(_ raw: UnsafeRawBufferPointer, _ a: Int, _ aEnd: Int, _ b: Int, _ bEnd: Int) -> Bool {
        guard aEnd - a == bEnd - b else { return false }
        for offset in 0..<(aEnd - a) {
            if raw[a + offset].asciiLowercased != raw[b + offset].asciiLowercased { return false }
        }
        return true
    }

    /// Calls `body` with each non-empty, trimmed comma-separated token of every `name` field, in
    /// order, until it returns false.
    private func forEachToken(_ name: StaticString, _ body: (UnsafeRawBufferPointer, Int, Int) -> Bool) {
        withBytes { raw in
            for field in fields where Self.nameIs(field, name, in: raw) {
                var start = Int(field.valueStart)
                let end = Int(field.valueEnd)
                while start <= end {
                    var stop = start
                    while stop < end, raw[stop] != UInt8(ascii: ",") { stop += 1 }
                    var tokenStart = start, tokenEnd = stop
                    while tokenStart < tokenEnd, raw[tokenStart] == 32 || raw[tokenStart] == 9 { tokenStart += 1 }
                    while tokenEnd > tokenStart, raw[tokenEnd - 1] == 32 || raw[tokenEnd - 1] == 9 { tokenEnd -= 1 }
                    if tokenEnd > tokenStart, !body(raw, tokenStart, tokenEnd) { return }
                    start = stop + 1
                }
            }
        }
    }

    /// What the `Content-Length` fields say (list form included: `3, 3` is one value).
    enum ContentLength: Equatable {
        case absent
        case value(UInt64)
        /// Not a decimal number.
        case invalid
        /// Two different values.
        case conflicting
    }

    var contentLength: ContentLength {
        var result = ContentLength.absent
        forEachToken("content-length") { raw, start, end in
            var value: UInt64 = 0
            for index in start..<end {
                let digit = raw[index] &- UInt8(ascii: "0")
                guard digit < 10, value <= (UInt64.max - UInt64(digit)) / 10 else {
                    result = .invalid
                    return false
                }
                value = value * 10 + UInt64(digit)
            }
            switch result {
            case .absent: result = .value(value)
            case .value(let previous) where previous == value: break
            default:
                result = .conflicting
                return false
            }
            return true
        }
        return result
    }
}
