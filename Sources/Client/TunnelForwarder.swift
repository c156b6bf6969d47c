#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket

/// `mctl tunnels connect` (cli.md §7): a local TCP listener; every accepted connection opens its own
/// `GET /api/v1/tunnels/{id}/connect` WebSocket and relays bytes both ways (binary frames). A
/// WebSocket has no half-close: the local client's EOF is sent as an empty binary frame (the server
/// finishes the runner side and keeps sending its answer), and the server's close ends the local
/// connection after its bytes.
/// Backpressure is end to end: the NIO async channel and the WebSocket writer both suspend.
public struct TunnelForwarder: Sendable {
    public typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>
    /// The local listener, with the dial turns its connections were given at accept.
    public struct Listener: Sendable {
        let accepted: NIOAsyncChannel<Connection, Never>
        let turns: TunnelDialTurns
        public var localAddress: SocketAddress? { accepted.channel.localAddress }
    }

    /// `ws://` or `wss://…/api/v1/tunnels/{id}/connect`.
    public let url: String
    /// An API key or the tunnel's `ttok_` token (sent as `Authorization: Bearer`).
    public let credential: String
    public let tls: TLSConfiguration?
    /// Where problems of single connections are reported (stderr in mctl).
    public var report: @Sendable (String) -> Void
    let dialer: WebSocketDialer

    /// Frames sent to the server stay below its 256 KiB frame limit.
    static let maxSendFrame = 64 * 1024

    /// Throws ``TunnelForwarderError/tlsNeedsHostName(_:)`` for `https://` with an IP address: the
    /// WebSocket client sends the host as TLS SNI, where an IP address is not allowed.
    public init(
        baseURL: String, tunnelID: String, credential: String, insecureSkipTLSVerify: Bool = false,
        report: @escaping @Sendable (String) -> Void
    ) throws {
        let secure = baseURL.lowercased().hasPrefix("https://")
        var authority = baseURL.drop { $0 != ":" }.dropFirst(3)  // after "http(s)://"
        while authority.hasSuffix("/") { authority = authority.dropLast() }
        if secure, Self.isIPAddress(authority) { throw TunnelForwarderError.tlsNeedsHostName(String(authority)) }
        self.url = (secure ? "wss://" : "ws://") + authority + MarionetteClient.tunnelPath(tunnelID) + "/connect"
        self.credential = credential
        var sslContext: NIOSSLContext?
        if secure {
            var tls = TLSConfiguration.makeClientConfiguration()
            if insecureSkipTLSVerify { tls.certificateVerification = .none }
            self.tls = tls
            sslContext = try NIOSSLContext(configuration: tls)
        } else {
            self.tls = nil
        }
        self.report = report
        self.dialer = try WebSocketDialer(
            url: url, headers: [("Authorization", "Bearer " + credential)], sslContext: sslContext, maxFrameSize: 1 << 20)
    }

    /// `host[:port][/path]` names an IPv4 or IPv6 address rather than a host name.
    static func isIPAddress(_ authority: Substring) -> Bool {
        if authority.hasPrefix("[") { return true }
        let host = authority.prefix { $0 != ":" && $0 != "/" }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    /// Binds the local listener; a port in use is ``TunnelForwarderError/portInUse(host:port:)``.
    public static func listen(host: String, port: Int) async throws -> Listener {
        do {
            let turns = TunnelDialTurns()
            let accepted = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    // Ahead of NIO's acceptor, which sets each connection up on its own loop (so they
                    // reach `serve` out of order): turns are given in the kernel's accept order.
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(TunnelDialTurns.AcceptOrder(turns))
                    }
                }
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
                }
            return Listener(accepted: accepted, turns: turns)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw TunnelForwarderError.portInUse(host: host, port: port)
        } catch let error as IOError where error.errnoCode == EACCES {
            throw TunnelForwarderError.permissionDenied(host: host, port: port)
        }
    }

    /// Accepts connections until the listener closes (or the task is cancelled), each relayed in a
    /// task of its own.
    public func serve(_ listener: Listener) async throws {
        let turns = listener.turns
        try await listener.accepted.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    let turn = turns.turn(for: connection.channel)
                    group.addTask { await relay(connection, turn: turn) }
                }
            }
        }
    }

    /// One local connection through one WebSocket, dialled in its turn.
    func relay(_ connection: Connection, turn: TunnelDialTurns.Turn) async {
        let peer = connection.channel.remoteAddress.map { "\($0)" } ?? "?"
        // Every path lets the next connection dial: a failed dial here, once the local connection
        // is closed (finishing a turn twice is harmless).
        defer { turn.finish() }
        do {
            try await connection.executeThenClose { localIn, localOut in
                await turn.wait()
                let webSocket = try await dialer.connect()
                turn.finish()
                let close = try await webSocket.executeThenClose { wsIn, wsOut in
                    try await Self.splice(localIn: localIn, localOut: localOut, wsIn: wsIn, wsOut: wsOut)
                }
                switch close {
                case .some(let close) where close.code != 1000:
                    report("connection from \(peer) closed by the server (\(close.code))\(close.reason.isEmpty ? "" : ": " + close.reason)")
                case .none where !Task.isCancelled:  // not when mctl itself is stopping
                    report("connection from \(peer) closed by the server (1006): the connection ended without a WebSocket close")
                default:
                    break
                }
            }
        } catch WebSocketHandshakeError.refused {
            report("connection from \(peer): the server refused the WebSocket (the tunnel may be closed, expired or its runner gone)")
        } catch is CancellationError {
        } catch {
            report("connection from \(peer) failed: \(error)")
        }
    }

    /// The server's close frame: its code (1005 when it has none) and reason.
    struct ServerClose: Equatable {
        var code: UInt16
        var reason: String

        init(code: UInt16, reason: String) {
            self.code = code
            self.reason = reason
        }

        init(payload: ByteBuffer) {
            var payload = payload
            code = payload.readInteger(as: UInt16.self) ?? 1005
            reason = payload.readString(length: payload.readableBytes) ?? ""
        }
    }

    /// Relays bytes both ways until the server closes (returns its close frame) or the connection
    /// ends (nil). The local client's EOF becomes an empty binary frame; the server's close ends the
    /// local connection after the bytes before it.
    static func splice(
        localIn: NIOAsyncChannelInboundStream<ByteBuffer>, localOut: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        wsIn: NIOAsyncChannelInboundStream<WebSocketFrame>, wsOut: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    ) async throws -> ServerClose? {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await var chunk in localIn {
                    while chunk.readableBytes > 0, let frame = chunk.readSlice(length: min(chunk.readableBytes, Self.maxSendFrame)) {
                        try await wsOut.write(WebSocketDialer.frame(.binary, frame))
                    }
                }
                // Local EOF: an empty frame finishes the runner side; the answer still comes.
                try await wsOut.write(WebSocketDialer.frame(.binary, ByteBuffer()))
            }
            var close: ServerClose?
            frames: for try await frame in wsIn {
                switch frame.opcode {
                case .binary, .text, .continuation:
                    try await localOut.write(frame.unmaskedData)
                case .ping:
                    try await wsOut.write(WebSocketDialer.frame(.pong, frame.unmaskedData))
                case .pong:
                    continue
                case .connectionClose:
                    let received = ServerClose(payload: frame.unmaskedData)
                    close = received
                    // Echo the code (RFC 6455 §5.5.1); the connection is closed right after.
                    var reply = ByteBuffer()
                    if received.code != 1005 { reply.writeInteger(received.code) }
                    try? await wsOut.write(WebSocketDialer.frame(.connectionClose, reply))
                    break frames
                default:
                    // A reserved opcode: a protocol error (1002).
                    var reply = ByteBuffer()
                    reply.writeInteger(UInt16(1002))
                    try? await wsOut.write(WebSocketDialer.frame(.connectionClose, reply))
                    close = ServerClose(code: 1002, reason: "the server sent the reserved opcode \(frame.opcode)")
                    break frames
                }
            }
            // The server closed: the runner side ended. The local client gets its FIN.
            localOut.finish()
            group.cancelAll()
            return close
        }
    }
}
