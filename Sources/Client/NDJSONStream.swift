import NIOCore

/// Something that carries bytes: a `ByteBuffer` from the HTTP client or a
/// plain byte array (tests).
public protocol ByteChunk {
    var chunkBytes: [UInt8] { get }
}

extension ByteBuffer: ByteChunk {
    public var chunkBytes: [UInt8] { Array(readableBytesView) }
}

extension Array: ByteChunk where Element == UInt8 {
    public var chunkBytes: [UInt8] { self }
}

/// Decodes an async sequence of byte chunks as NDJSON: one `JSONValue` per
/// non-blank line. Errors of the underlying sequence (a dropped connection)
/// are rethrown; a final line without a newline is decoded at the end.
public struct NDJSONRecords<Base: AsyncSequence>: AsyncSequence where Base.Element: ByteChunk {
    public typealias Element = JSONValue

    let base: Base

    public init(_ base: Base) { self.base = base }

    public func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var splitter = NDJSONLineSplitter()
        var pending: [String] = []
        var finished = false

        public mutating func next() async throws -> JSONValue? {
            while true {
                if !pending.isEmpty {
                    let line = pending.removeFirst()
                    do {
                        return try JSONParser.parse(line)
                    } catch {
                        throw NDJSONError.invalidRecord(String(describing: error))
                    }
                }
                if finished { return nil }
                if let chunk = try await base.next() {
                    pending = try splitter.append(chunk.chunkBytes)
                } else {
                    finished = true
                    if let last = splitter.finish() { pending = [last] }
                }
            }
        }
    }
}
