/// Finds where an HTTP/1.1 message body ends (RFC 9112 §6–7) in bytes that pass through the tunnel
/// unchanged, so one client connection can carry request after request to the same origin
/// connection (keep-alive). Chunked bodies are walked (sizes, extensions, data, trailers), never
/// decoded or copied.
struct HTTPBodyFramer: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// No body (a request without length, a HEAD answer, 1xx/204/304).
        case none
        case length(UInt64)
        case chunked
        /// The body ends when the sender closes (a response with neither length nor chunked).
        case untilClose
    }

    enum Failure: Error, Equatable {
        case invalidChunkSize
        case invalidChunkFraming
    }

    private enum Chunked: Sendable, Equatable {
        case size(digits: Int, value: UInt64)
        /// A chunk extension, skipped up to its CR.
        case sizeExtension(value: UInt64)
        case sizeLF(value: UInt64)
        case data(remaining: UInt64)
        case dataCR
        case dataLF
        /// After the last chunk: at the start of a trailer line (CRLF here ends the message).
        case trailerStart
        case trailerLine
        case trailerLF(empty: Bool)
    }

    private enum State: Sendable, Equatable {
        case length(remaining: UInt64)
        case chunked(Chunked)
        case untilClose
        case complete
    }

    private var state: State

    init(_ kind: Kind) {
        switch kind {
        case .none: state = .complete
        case .length(let count): state = count == 0 ? .complete : .length(remaining: count)
        case .chunked: state = .chunked(.size(digits: 0, value: 0))
        case .untilClose: state = .untilClose
        }
    }

    /// The whole body went by.
    var isComplete: Bool { state == .complete }

    /// The body ends only when the connection does.
    var endsAtClose: Bool { state == .untilClose }

    /// How many of `bytes` (from the start) belong to this body; fewer than `bytes.count` only when
    /// the body ends inside them (the rest is the next message).
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Int {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .complete:
                return index
            case .untilClose:
                return count
            case .length(let remaining):
                let take = Int(min(remaining, UInt64(count - index)))
                index += take
                state = remaining == UInt64(take) ? .complete : .length(remaining: remaining - UInt64(take))
            case .chunked(.data(let remaining)):
                let take = Int(min(remaining, UInt64(count - index)))
                index += take
                state = .chunked(remaining == UInt64(take) ? .dataCR : .data(remaining: remaining - UInt64(take)))
            case .chunked(let chunked):
                state = try Self.step(chunked, bytes[index]).map(State.chunked) ?? .complete
                index += 1
            }
        }
        return index
    }

    /// One control byte of a chunked body; nil when it ended the message.
    private static func step(_ chunked: Chunked, _ byte: UInt8) throws(Failure) -> Chunked? {
        switch chunked {
        case .size(let digits, let value):
            if let digit = hexValue(byte) {
                // 16 hex digits overflow nothing; more is no real size.
                guard digits < 16 else { throw .invalidChunkSize }
                return .size(digits: digits + 1, value: value << 4 | UInt64(digit))
            }
            guard digits > 0 else { throw .invalidChunkSize }
            switch byte {
            case 13: return .sizeLF(value: value)
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"): return .sizeExtension(value: value)
            default: throw .invalidChunkSize
            }
        case .sizeExtension(let value):
            switch byte {
            case 13: return .sizeLF(value: value)
            case 10: throw .invalidChunkFraming
            default: return .sizeExtension(value: value)
            }
        case .sizeLF(let value):
            guard byte == 10 else { throw .invalidChunkFraming }
            return value == 0 ? .trailerStart : .data(remaining: value)
        case .data:
            preconditionFailure("data is skipped in bulk by consume")
        case .dataCR:
            guard byte == 13 else { throw .invalidChunkFraming }
            return .dataLF
        case .dataLF:
            guard byte == 10 else { throw .invalidChunkFraming }
            return .size(digits: 0, value: 0)
        case .trailerStart:
            return byte == 13 ? .trailerLF(empty: true) : .trailerLine
        case .trailerLine:
            return byte == 13 ? .trailerLF(empty: false) : .trailerLine
        case .trailerLF(let empty):
            guard byte == 10 else { throw .invalidChunkFraming }
            // The empty line after the last chunk (and its trailers) ends the message.
            return empty ? nil : .trailerStart
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension HTTPBodyFramer.Kind {
    /// A request's body (RFC 9112 §6.3): chunked, else its length, else none. The rewriter has
    /// already refused conflicting or unknown framing.
    static func request(_ head: HTTPHead) -> Self {
        if head.lastToken("transfer-encoding", is: "chunked") == true { return .chunked }
        if case .value(let length) = head.contentLength { return .length(length) }
        return .none
    }

    /// A response's body, given the method of the request it answers (RFC 9112 §6.3).
    static func response(_ head: HTTPHead, method: String) -> Self {
        let status = Int(head.startLine.1) ?? 0
        if method == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 { return .none }
        if let chunked = head.lastToken("transfer-encoding", is: "chunked") { return chunked ? .chunked : .untilClose }
        if case .value(let length) = head.contentLength { return .length(length) }
        // No length (or a conflicting one): the body runs to the close.
        return .untilClose
    }
}
