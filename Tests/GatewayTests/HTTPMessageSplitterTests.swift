import NIOCore
import Testing

@testable import Gateway

/// Keep-alive framing of the tunnel ingress: where bodies end (length, chunked, HEAD, 1xx/204/304,
/// until close) and how a byte stream splits into heads and body slices however it is cut.
@Suite struct HTTPMessageSplitterTests {
    static func head(_ text: String) throws -> HTTPHead { try TunnelHTTPTests.head(text) }

    /// Feeds `bytes` to a framer in pieces of `cut` bytes; returns how many belonged to the body.
    static func consume(_ kind: HTTPBodyFramer.Kind, _ text: String, cut: Int) throws -> (taken: Int, complete: Bool) {
        var framer = HTTPBodyFramer(kind)
        let bytes = Array(text.utf8)
        var taken = 0
        var offset = 0
        while offset < bytes.count, !framer.isComplete {
            let piece = Array(bytes[offset..<min(bytes.count, offset + cut)])
            let used = try piece.withUnsafeBytes { try framer.consume($0) }
            taken += used
            offset += piece.count
            if used < piece.count { break }
        }
        return (taken, framer.isComplete)
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func chunkedBodiesEndAfterTheirTrailers(cut: Int) throws {
        let body = "5\r\nhello\r\n1a;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\n\r\n"
        let result = try Self.consume(.chunked, body + "GET /next HTTP/1.1\r\n", cut: cut)
        #expect(result.taken == body.utf8.count)
        #expect(result.complete)
        let bare = "0\r\n\r\n"
        #expect(try Self.consume(.chunked, bare + "x", cut: cut) == (bare.utf8.count, true))
        let partial = try Self.consume(.chunked, "A\r\n0123", cut: cut)
        #expect(partial == (7, false))
    }

    @Test func lengthsAndEmptyBodies() throws {
        #expect(try Self.consume(.length(4), "abcdefg", cut: 3) == (4, true))
        #expect(HTTPBodyFramer(.length(0)).isComplete)
        #expect(HTTPBodyFramer(.none).isComplete)
        var open = HTTPBodyFramer(.untilClose)
        #expect(open.endsAtClose)
        #expect(try Array("anything".utf8).withUnsafeBytes { try open.consume($0) } == 8)
        #expect(!open.isComplete)
    }

    @Test func badChunkFramingIsRefused() throws {
        for body in ["zz\r\n", "\r\n", "5\r\nhelloXX", "5\nhello", "11111111111111111\r\n"] {
            #expect(throws: HTTPBodyFramer.Failure.self, "\(body.debugDescription)") { try Self.consume(.chunked, body, cut: 100) }
        }
    }

    @Test func responseFramingFollowsMethodAndStatus() throws {
        let sized = try Self.head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
        #expect(HTTPBodyFramer.Kind.response(sized, method: "GET") == .length(12))
        #expect(HTTPBodyFramer.Kind.response(sized, method: "HEAD") == HTTPBodyFramer.Kind.none)
        for status in ["100 Continue", "204 No Content", "304 Not Modified"] {
            #expect(HTTPBodyFramer.Kind.response(try Self.head("HTTP/1.1 \(status)\r\nContent-Length: 5\r\n\r\n"), method: "GET") == .none)
        }
        #expect(HTTPBodyFramer.Kind.response(try Self.head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), method: "GET") == .chunked)
        #expect(HTTPBodyFramer.Kind.response(try Self.head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), method: "GET") == .untilClose)
        #expect(HTTPBodyFramer.Kind.response(try Self.head("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"), method: "GET") == .untilClose)
        #expect(HTTPBodyFramer.Kind.request(try Self.head("GET / HTTP/1.1\r\nHost: h\r\n\r\n")) == .none)
        #expect(HTTPBodyFramer.Kind.request(try Self.head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")) == .chunked)
        #expect(HTTPBodyFramer.Kind.request(try Self.head("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n")) == .length(3))
        // The list form the rewriter lets through frames like the single value.
        #expect(HTTPBodyFramer.Kind.request(try Self.head("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n")) == .length(3))
    }

    enum Seen: Equatable {
        case head(String)
        case body(String)
        case end
    }

    /// Runs a splitter over `text` cut into `cut`-byte reads, framing each head as a request would.
    static func split(_ text: String, cut: Int) throws -> [Seen] {
        var splitter = HTTPMessageSplitter()
        var seen: [Seen] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            splitter.append(ByteBuffer(bytes: bytes[offset..<min(bytes.count, offset + cut)]))
            offset += cut
            while let part = try splitter.next() {
                switch part {
                case .head(let head):
                    #expect(String(buffer: head.bytes).hasSuffix("\r\n\r\n") && head.bytes.readableBytes > 4)
                    seen.append(.head(head.startLine.0 + " " + head.startLine.1))
                    splitter.expectBody(.request(head))
                case .body(let body):
                    let text = String(buffer: body)
                    if case .body(let before)? = seen.last {
                        seen[seen.count - 1] = .body(before + text)
                    } else {
                        seen.append(.body(text))
                    }
                case .end:
                    seen.append(.end)
                }
            }
        }
        return seen
    }

    @Test(arguments: [1, 5, 64, 4096])
    func pipelinedRequestsSplitWhereverTheReadsAreCut(cut: Int) throws {
        let stream = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /d HTTP/1.1\r\n\r\n"
        let seen = try Self.split(stream, cut: cut)
        #expect(
            seen == [
                .head("POST /a"), .body("hello"), .end, .head("GET /b"), .end, .head("POST /c"),
                .body("3\r\nabc\r\n0\r\n\r\n"), .end, .head("GET /d"), .end,
            ])
    }

    @Test func rawAfterAnUpgradeAndBadHeads() throws {
        var splitter = HTTPMessageSplitter()
        splitter.append(ByteBuffer(string: "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u{01}\u{02}hi"))
        guard case .head = try splitter.next() else { throw TunnelHTTPTests.TestFailure("no head") }
        #expect(try splitter.next() == nil, "nothing more until the caller frames the head")
        splitter.switchToRaw()
        guard case .body(let rest) = try splitter.next() else { throw TunnelHTTPTests.TestFailure("no raw bytes") }
        #expect(rest.readableBytes == 4)
        #expect(splitter.isBetweenMessages == false)

        var bad = HTTPMessageSplitter(headLimit: 64)
        bad.append(ByteBuffer(string: "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100)))
        #expect(throws: HTTPMessageSplitter.Failure.invalidHead(tooLarge: true)) { try bad.next() }
    }

    /// What a client's half-close cuts off: a head not finished (never sent on), or a body begun.
    @Test func knowsWhetherABodyIsOpen() throws {
        var splitter = HTTPMessageSplitter()
        splitter.append(ByteBuffer(string: "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel"))
        #expect(splitter.isInsideBody == false)
        guard case .head(let head) = try splitter.next() else { throw TunnelHTTPTests.TestFailure("no head") }
        #expect(splitter.isInsideBody, "framing not known yet")
        splitter.expectBody(.request(head))
        guard case .body = try splitter.next() else { throw TunnelHTTPTests.TestFailure("no body") }
        #expect(splitter.isInsideBody && !splitter.isBetweenMessages)
        splitter.append(ByteBuffer(string: "lo"))
        guard case .body = try splitter.next(), case .end = try splitter.next() else { throw TunnelHTTPTests.TestFailure("no end") }
        #expect(!splitter.isInsideBody && splitter.isBetweenMessages)
        splitter.append(ByteBuffer(string: "GET /b HTTP/1.1\r\nHo"))
        #expect(try splitter.next() == nil)
        #expect(!splitter.isInsideBody && !splitter.isBetweenMessages, "a head cut off is not a body")
    }
}
