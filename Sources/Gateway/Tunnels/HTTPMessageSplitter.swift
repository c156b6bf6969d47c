import NIOCore

/// Splits one direction of an HTTP/1.1 connection into message heads and body bytes, so the
/// tunnel ingress can rewrite every head of a keep-alive connection while bodies pass through as
/// slices of the bytes read (no copies). After a head the caller says how its body is framed
/// (``expectBody(_:)``); after an upgrade everything is raw (``switchToRaw()``).
struct HTTPMessageSplitter {
    enum Part {
        /// A complete head (it holds its bytes). Call ``expectBody(_:)`` before the next ``next()``.
        case head(HTTPHead)
        case body(ByteBuffer)
        /// The body of the current message ended; a head comes next.
        case end
    }

    enum Failure: Error, Equatable {
        case invalidHead(tooLarge: Bool)
        case invalidBody
    }

    private enum Expecting {
        case head
        /// A head was returned; its body's framing is not known yet.
        case framing
        case body(HTTPBodyFramer)
        case raw
    }

    private var buffer: ByteBuffer?
    private var expecting = Expecting.head
    let headLimit: Int

    init(headLimit: Int = HTTPHeadParser.defaultLimit) {
        self.headLimit = headLimit
    }

    /// Bytes are waiting (a partial head, or body bytes not taken yet).
    var hasBufferedBytes: Bool { (buffer?.readableBytes ?? 0) > 0 }

    /// Between messages: no head was started and no body is open.
    var isBetweenMessages: Bool {
        if case .head = expecting { return !hasBufferedBytes }
        return false
    }

    /// A head was returned and its body has not ended.
    var isInsideBody: Bool {
        switch expecting {
        case .framing, .body: return true
        case .head, .raw: return false
        }
    }

    /// The current body runs to the connection's end (a response without length).
    var bodyEndsAtClose: Bool {
        if case .body(let framer) = expecting { return framer.endsAtClose }
        return false
    }

    mutating func append(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        if buffer == nil || buffer!.readableBytes == 0 {
            buffer = bytes
        } else {
            var bytes = bytes
            buffer!.writeBuffer(&bytes)
        }
    }

    mutating func expectBody(_ kind: HTTPBodyFramer.Kind) {
        expecting = .body(HTTPBodyFramer(kind))
    }

    mutating func switchToRaw() {
        expecting = .raw
    }

    /// The bytes not returned yet, handed back (the splitter keeps none).
    mutating func takeBuffered() -> ByteBuffer? {
        defer { buffer = nil }
        return buffer?.readableBytes == 0 ? nil : buffer
    }

    /// The next part, or nil when more bytes are needed (or the head's framing is still unknown).
    mutating func next() throws(Failure) -> Part? {
        switch expecting {
        case .framing:
            return nil
        case .raw:
            return takeBuffered().map(Part.body)
        case .body(var framer):
            if framer.isComplete {
                expecting = .head
                return .end
            }
            guard var bytes = buffer, bytes.readableBytes > 0 else { return nil }
            var failed = false
            let taken = bytes.withUnsafeReadableBytes { view in
                do { return try framer.consume(view) } catch {
                    failed = true
                    return 0
                }
            }
            if failed { throw .invalidBody }
            expecting = .body(framer)
            let slice = bytes.readSlice(length: taken)!
            buffer = bytes
            // A complete body of zero bytes left here only when it was already complete (handled above).
            return .body(slice)
        case .head:
            guard var bytes = buffer, bytes.readableBytes > 0 else { return nil }
            switch HTTPHeadParser.parse(bytes, limit: headLimit) {
            case .needMore:
                return nil
            case .invalid(let tooLarge):
                throw .invalidHead(tooLarge: tooLarge)
            case .head(let head, let length):
                bytes.moveReaderIndex(forwardBy: length)
                buffer = bytes
                expecting = .framing
                return .head(head)
            }
        }
    }
}
