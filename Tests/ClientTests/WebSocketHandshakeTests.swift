import NIOCore
import Testing

@testable import Client

/// The opening handshake of `mctl tunnels connect`'s WebSocket client, without I/O.
@Suite struct WebSocketHandshakeTests {
    /// The key and accept value of RFC 6455 §1.3.
    let handshake = WebSocketHandshake(
        host: "localhost:8080", path: "/api/v1/tunnels/tun_A/connect", headers: [("Authorization", "Bearer mk_x")],
        key: "dGhlIHNhbXBsZSBub25jZQ==")

    func response(_ lines: [String]) -> String { lines.joined(separator: "\r\n") }

    @Test func theRequestAsksForAWebSocketWithTheCallersHeaders() throws {
        var request = try handshake.request()
        let text = request.readString(length: request.readableBytes) ?? ""
        #expect(
            text == "GET /api/v1/tunnels/tun_A/connect HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer mk_x\r\n\r\n")
        #expect(handshake.expectedAccept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(WebSocketHandshake(host: "h", path: "/").key.count == 24, "16 random bytes in base64")
    }

    @Test func aLineBreakInAHeaderValueIsRefused() {
        let pasted = WebSocketHandshake(host: "h", path: "/", headers: [("Authorization", "Bearer mk_x\n")])
        #expect(throws: WebSocketHandshakeError.invalidHeaderValue("Authorization")) { try pasted.request() }
    }

    @Test func theHeadEndsAtTheFirstEmptyLine() throws {
        #expect(try WebSocketHandshake.headLength(in: ByteBuffer(string: "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n")) == nil)
        #expect(try WebSocketHandshake.headLength(in: ByteBuffer(string: "HTTP/1.1 101 OK\r\n\r\n\u{88}\u{0}")) == 19)
        #expect(try WebSocketHandshake.headLength(in: ByteBuffer(string: "a\r\r\n\r\nb")) == 6)
        #expect(try WebSocketHandshake.headLength(in: ByteBuffer(string: "a\n\n\r\n")) == nil)
        let endless = ByteBuffer(repeating: UInt8(ascii: "x"), count: WebSocketHandshake.maxResponseHead)
        #expect(throws: WebSocketHandshakeError.responseTooLarge) { try WebSocketHandshake.headLength(in: endless) }
    }

    @Test func aSwitchWithTheRightAcceptPasses() throws {
        try handshake.check(
            head: response([
                "HTTP/1.1 101 Switching Protocols", "upgrade: WebSocket", "connection: keep-alive, Upgrade",
                "sec-websocket-accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= ",
            ]))
    }

    @Test func anythingElseSaysWhatWasWrong() {
        let accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        #expect(throws: WebSocketHandshakeError.refused(status: 400)) {
            try handshake.check(head: response(["HTTP/1.1 400 Bad Request", "Content-Length: 0"]))
        }
        #expect(throws: WebSocketHandshakeError.badAccept) {
            try handshake.check(
                head: response([
                    "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: upgrade",
                    "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                ]))
        }
        #expect(throws: WebSocketHandshakeError.malformedResponse("Upgrade is not websocket")) {
            try handshake.check(head: response(["HTTP/1.1 101 Switching Protocols", "Upgrade: h2c", "Connection: upgrade", accept]))
        }
        #expect(throws: WebSocketHandshakeError.malformedResponse("Connection does not name upgrade")) {
            try handshake.check(head: response(["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", accept]))
        }
        #expect(throws: WebSocketHandshakeError.malformedResponse("an extension or subprotocol that was not requested")) {
            try handshake.check(
                head: response([
                    "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: upgrade", accept,
                    "Sec-WebSocket-Extensions: permessage-deflate",
                ]))
        }
        #expect(throws: WebSocketHandshakeError.malformedResponse("the status line \"SSH-2.0-OpenSSH_9.2\"")) {
            try handshake.check(head: "SSH-2.0-OpenSSH_9.2")
        }
    }
}
