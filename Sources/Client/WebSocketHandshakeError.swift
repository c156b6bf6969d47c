/// Why a WebSocket could not be opened.
enum WebSocketHandshakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with another status than 101.
    case refused(status: Int)
    case malformedResponse(String)
    /// `Sec-WebSocket-Accept` does not match the key: not a WebSocket server (or a broken proxy).
    case badAccept
    case responseTooLarge
    /// The connection ended before the response head was complete.
    case connectionClosed
    case timedOut
    case invalidHeaderValue(String)
    case invalidURL(String)

    var description: String {
        switch self {
        case .refused(let status): return "the server answered \(status) instead of switching to a WebSocket"
        case .malformedResponse(let what): return "the server's WebSocket response is malformed: \(what)"
        case .badAccept: return "the server's Sec-WebSocket-Accept does not match the request key"
        case .responseTooLarge: return "the server's response head is longer than \(WebSocketHandshake.maxResponseHead) bytes"
        case .connectionClosed: return "the server closed the connection before answering the WebSocket request"
        case .timedOut: return "the server did not answer the WebSocket request in time"
        case .invalidHeaderValue(let name): return "the \(name) header value has a line break"
        case .invalidURL(let url): return "not a ws:// or wss:// URL: \(url)"
        }
    }
}
