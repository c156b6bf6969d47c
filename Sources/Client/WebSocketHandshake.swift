import Crypto
import Foundation
import NIOCore
import NIOWebSocket

/// The client side of the WebSocket opening handshake (RFC 6455 §4.1), with no I/O: the request
/// head to send, where the server's response head ends in the bytes read so far, and the check of
/// that head.
struct WebSocketHandshake: Sendable {
    /// RFC 6455 §1.3.
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// A response head longer than this is refused (a WebSocket server answers in a few hundred bytes).
    static let maxResponseHead = 16 * 1024

    /// The `Host` header: `host[:port]`.
    var host: String
    /// Path and query of the request target.
    var path: String
    /// Further request headers (`Authorization`).
    var headers: [(name: String, value: String)]
    /// `Sec-WebSocket-Key`: 16 random bytes, base64.
    var key: String

    init(
        host: String, path: String, headers: [(name: String, value: String)] = [],
        key: String = NIOWebSocketClientUpgrader.randomRequestKey()
    ) {
        self.host = host
        self.path = path
        self.headers = headers
        self.key = key
    }

    /// The request head. A header value with CR or LF (a credential pasted with its newline) would
    /// split the head: it is refused instead.
    func request() throws(WebSocketHandshakeError) -> ByteBuffer {
        var all: [(name: String, value: String)] = [
            ("Host", host), ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
            ("Sec-WebSocket-Version", "13"),
        ]
        all += headers
        var buffer = ByteBuffer()
        buffer.writeString("GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\n")
        for (name, value) in all {
            guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { throw .invalidHeaderValue(name) }
            buffer.writeString("\(name): \(value)\r\n")
        }
        buffer.writeString("\r\n")
        return buffer
    }

    /// What `Sec-WebSocket-Accept` must say for ``key``.
    var expectedAccept: String {
        Data(Insecure.SHA1.hash(data: Array((key + Self.acceptGUID).utf8))).base64EncodedString()
    }

    /// The length of the response head (through its empty line) at the start of `bytes`, or nil
    /// while it is incomplete.
    static func headLength(in bytes: ByteBuffer) throws(WebSocketHandshakeError) -> Int? {
        let view = bytes.readableBytesView
        var matched = 0
        for (offset, byte) in view.enumerated() {
            switch (matched, byte) {
            case (0, 13), (2, 13): matched += 1
            case (1, 10), (3, 10): matched += 1
            case (_, 13): matched = 1
            default: matched = 0
            }
            if matched == 4 { return offset + 1 }
            if offset + 1 >= maxResponseHead { throw .responseTooLarge }
        }
        return nil
    }

    /// Checks the response head (status line and fields, without the empty line): 101 with
    /// `Upgrade: websocket`, `Connection: upgrade` and the right `Sec-WebSocket-Accept`.
    func check(head: String) throws(WebSocketHandshakeError) {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let statusLine = lines.first else { throw .malformedResponse("an empty response") }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .malformedResponse("the status line \"\(statusLine.prefix(80))\"")
        }
        guard status == 101 else { throw .refused(status: status) }
        var fields: [String: [String]] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedResponse("the header line \"\(line.prefix(80))\"") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name, default: []].append(value)
        }
        guard fields["upgrade"]?.count == 1, fields["upgrade"]?.first?.lowercased() == "websocket" else {
            throw .malformedResponse("Upgrade is not websocket")
        }
        let connection = (fields["connection"] ?? []).flatMap { $0.split(separator: ",") }
        guard connection.contains(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "upgrade" }) else {
            throw .malformedResponse("Connection does not name upgrade")
        }
        guard fields["sec-websocket-accept"] == [expectedAccept] else { throw .badAccept }
        // Nothing was offered, so nothing may be accepted (§4.1, steps 5 and 6).
        guard fields["sec-websocket-extensions"] == nil, fields["sec-websocket-protocol"] == nil else {
            throw .malformedResponse("an extension or subprotocol that was not requested")
        }
    }
}
