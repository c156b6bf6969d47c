import Core
import NIOCore

/// `Encodable` → JSON bytes in one pass, keys in the order
/// `encode(to:)` writes them. Foundation's `JSONEncoder` first builds a tree of dictionaries (a
/// hash and an allocation per key) and then serializes it: on `GET /sessions?limit=50` that was
/// 43% of the server's CPU (perf). Output matches `JSONEncoder` with `.withoutEscapingSlashes`
/// as JSON values (the tests compare them); doubles are written as Swift prints them.
///
/// Containers stay open on a stack and are closed when their parent writes its next element or
/// closes, because `Encoder` has no "container done" call. A slot whose value encoded nothing
/// becomes `{}`, as with `JSONEncoder`.
struct StreamingJSONEncoder {
    func encode<T: Encodable>(_ value: T) throws -> ByteBuffer {
        let sink = JSONSink()
        try sink.encodeRoot(value)
        // Bytes are appended to an array (cheaper per byte than ByteBuffer's integer writes) and
        // copied once.
        var buffer = ByteBufferAllocator().buffer(capacity: sink.bytes.count)
        buffer.writeBytes(sink.bytes)
        return buffer
    }
}

/// One open `{…}` or `[…]`.
private final class JSONContainerState {
    let isKeyed: Bool
    var count = 0
    var closed = false
    init(isKeyed: Bool) { self.isKeyed = isKeyed }
}

/// The output and the stack of open containers, shared by every encoder and container of one
/// `encode` call (a class: `Encoder` containers are values that must all write to one place).
private final class JSONSink {
    var bytes: [UInt8] = []
    var stack: [JSONContainerState] = []
    /// A key (or an array slot) was written and its value not yet.
    var awaitingValue = false

    init() { bytes.reserveCapacity(4096) }

    func encodeRoot<T: Encodable>(_ value: T) throws {
        awaitingValue = true
        try encodeValue(value, parentPath: [], key: nil)
        closeAll()
    }

    /// Writes `value` into the slot just prepared. The coding path (`parentPath` + `key`) is only
    /// built when a nested encoder or an error needs it, not for every scalar.
    func encodeValue<T: Encodable>(_ value: T, parentPath: [any CodingKey], key: (any CodingKey)?) throws {
        switch value {
        case let string as String: writeString(string)
        case let timestamp as Timestamp: writeString(timestamp.rfc3339)
        case let bool as Bool: writeRaw(bool ? "true" : "false")
        case let int as Int: writeInteger(int)
        case let int as Int64: writeInteger(int)
        case let int as Int32: writeInteger(int)
        case let double as Double:
            try writeDouble(double, codingPath: key.map { parentPath + [$0] } ?? parentPath)
        default:
            let depth = stack.count
            let path = key.map { parentPath + [$0] } ?? parentPath
            try value.encode(to: JSONValueEncoder(sink: self, codingPath: path))
            close(above: depth)
            if awaitingValue { writeRaw("{}") }
        }
    }

    /// Closes every container above `depth` (an element of the container at `depth` comes next).
    func close(above depth: Int) {
        while stack.count > depth {
            let state = stack.removeLast()
            if awaitingValue { writeRaw("{}") }
            state.closed = true
            bytes.append(state.isKeyed ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    func closeAll() {
        close(above: 0)
        if awaitingValue { writeRaw("{}") }
    }

    /// Opens a container in the current slot.
    func open(isKeyed: Bool) -> JSONContainerState {
        let state = JSONContainerState(isKeyed: isKeyed)
        bytes.append(isKeyed ? UInt8(ascii: "{") : UInt8(ascii: "["))
        awaitingValue = false
        stack.append(state)
        return state
    }

    /// Starts the next element of `state`: closes what its previous element left open, writes the
    /// comma and, for objects, the key.
    func beginElement(of state: JSONContainerState, key: String?) {
        if stack.last !== state, let index = stack.lastIndex(where: { $0 === state }) {
            close(above: index + 1)
        }
        if state.count > 0 { bytes.append(UInt8(ascii: ",")) }
        state.count += 1
        if let key {
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
        }
        awaitingValue = true
    }

    func writeRaw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        awaitingValue = false
    }

    func writeNull() { writeRaw("null") }

    func writeInteger<I: BinaryInteger>(_ value: I) {
        bytes.append(contentsOf: String(value).utf8)
        awaitingValue = false
    }

    func writeDouble(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(value) is not representable in JSON"))
        }
        bytes.append(contentsOf: value.description.utf8)
        awaitingValue = false
    }

    func writeString(_ string: String) {
        JSONStringEscaping.appendQuoted(string, to: &bytes)
        awaitingValue = false
    }
}

/// The `Encoder` of one slot: the first container it is asked for opens in that slot; asking again
/// (for any key type) returns the same one, as `JSONEncoder` allows.
private final class JSONValueEncoder: Encoder {
    let sink: JSONSink
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var opened: JSONContainerState?

    init(sink: JSONSink, codingPath: [any CodingKey]) {
        self.sink = sink
        self.codingPath = codingPath
    }

    private func state(isKeyed: Bool) -> JSONContainerState {
        if let opened, !opened.closed, opened.isKeyed == isKeyed { return opened }
        let state = sink.open(isKeyed: isKeyed)
        opened = state
        return state
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(JSONKeyedContainer<Key>(sink: sink, state: state(isKeyed: true), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONUnkeyedContainer(sink: sink, state: state(isKeyed: false), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(sink: sink, codingPath: codingPath)
    }
}

private struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: JSONSink
    let state: JSONContainerState
    let codingPath: [any CodingKey]

    func encodeNil(forKey key: Key) throws {
        sink.beginElement(of: state, key: key.stringValue)
        sink.writeNull()
    }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        sink.beginElement(of: state, key: key.stringValue)
        try sink.encodeValue(value, parentPath: codingPath, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        sink.beginElement(of: state, key: key.stringValue)
        return KeyedEncodingContainer(
            JSONKeyedContainer<NestedKey>(sink: sink, state: sink.open(isKeyed: true), codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        sink.beginElement(of: state, key: key.stringValue)
        return JSONUnkeyedContainer(sink: sink, state: sink.open(isKeyed: false), codingPath: codingPath + [key])
    }

    func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    func superEncoder(forKey key: Key) -> any Encoder {
        sink.beginElement(of: state, key: key.stringValue)
        return JSONValueEncoder(sink: sink, codingPath: codingPath + [key])
    }
}

private struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let sink: JSONSink
    let state: JSONContainerState
    let codingPath: [any CodingKey]
    var count: Int { state.count }

    private func indexKey() -> any CodingKey { JSONIndexKey(intValue: state.count) }

    mutating func encodeNil() throws {
        sink.beginElement(of: state, key: nil)
        sink.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = indexKey()
        sink.beginElement(of: state, key: nil)
        try sink.encodeValue(value, parentPath: codingPath, key: index)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let path = codingPath + [indexKey()]
        sink.beginElement(of: state, key: nil)
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(sink: sink, state: sink.open(isKeyed: true), codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [indexKey()]
        sink.beginElement(of: state, key: nil)
        return JSONUnkeyedContainer(sink: sink, state: sink.open(isKeyed: false), codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = codingPath + [indexKey()]
        sink.beginElement(of: state, key: nil)
        return JSONValueEncoder(sink: sink, codingPath: path)
    }
}

private struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let sink: JSONSink
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { sink.writeNull() }
    mutating func encode(_ value: Bool) throws { sink.writeRaw(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { sink.writeString(value) }
    mutating func encode(_ value: Double) throws { try sink.writeDouble(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws { try sink.writeDouble(Double(value), codingPath: codingPath) }
    mutating func encode(_ value: Int) throws { sink.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { sink.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { sink.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { sink.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { sink.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { sink.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { sink.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { sink.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { sink.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { sink.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try sink.encodeValue(value, parentPath: codingPath, key: nil) }
}

private struct JSONIndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
