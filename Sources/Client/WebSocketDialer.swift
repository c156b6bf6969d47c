import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Opens client WebSockets to one `ws://` or `wss://` URL as async channels of frames (the
/// handshake: ``WebSocketClientUpgradeHandler``). Frames written must carry a mask key (RFC 6455
/// §5.3): ``frame(_:_:)`` makes them.
struct WebSocketDialer: Sendable {
    typealias Connection = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

    /// Host name or address, without IPv6 brackets.
    var host: String
    var port: Int
    /// The `Host` header (the URL's authority as written).
    var authority: String
    var path: String
    var headers: [(name: String, value: String)]
    var sslContext: NIOSSLContext?
    /// Frames from the server larger than this fail the connection.
    var maxFrameSize: Int
    var connectTimeout = TimeAmount.seconds(10)
    var handshakeTimeout = TimeAmount.seconds(30)

    /// `url` is `ws://` or `wss://` (with `sslContext`), `authority[/path]`.
    init(
        url: String, headers: [(name: String, value: String)], sslContext: NIOSSLContext?, maxFrameSize: Int
    ) throws(WebSocketHandshakeError) {
        let secure = url.hasPrefix("wss://")
        guard secure || url.hasPrefix("ws://") else { throw .invalidURL(url) }
        let rest = url.dropFirst(secure ? 6 : 5)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        self.authority = String(authority)
        let target = rest[authority.endIndex...]
        self.path = target.hasPrefix("/") ? String(target) : "/" + target
        var hostPart = Substring(authority)
        var port = secure ? 443 : 80
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":"), let value = Int(after.dropFirst()) { port = value }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":"), let value = Int(hostPart[hostPart.index(after: colon)...]) {
            port = value
            hostPart = hostPart[..<colon]
        }
        self.host = String(hostPart)
        self.port = port
        self.headers = headers
        self.sslContext = secure ? sslContext : nil
        self.maxFrameSize = maxFrameSize
    }

    /// Connects and completes the handshake; throws ``WebSocketHandshakeError`` when the server
    /// does not switch to a WebSocket.
    func connect() async throws -> Connection {
        let handshake = WebSocketHandshake(host: authority, path: path, headers: headers)
        let (host, sslContext, maxFrameSize, timeout) = (host, sslContext, maxFrameSize, handshakeTimeout)
        let upgraded = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: host))
                    }
                    let promise = channel.eventLoop.makePromise(of: Connection.self)
                    do {
                        try channel.pipeline.syncOperations.addHandler(
                            WebSocketClientUpgradeHandler(
                                handshake: handshake, maxFrameSize: maxFrameSize, timeout: timeout, promise: promise
                            ) { channel in
                                try Connection(wrappingChannelSynchronously: channel)
                            })
                    } catch {
                        promise.fail(error)
                        throw error
                    }
                    return promise.futureResult
                }
            }
        return try await upgraded.get()
    }

    /// A masked frame (every client frame is masked).
    static func frame(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
    }
}
