#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import HummingbirdWSClient
import Logging
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
    public typealias Listener = NIOAsyncChannel<Connection, Never>

    /// `ws://` or `wss://…/api/v1/tunnels/{id}/connect`.
    public var url: String
    /// An API key or the tunnel's `ttok_` token (sent as `Authorization: Bearer`).
    public var credential: String
    public var tls: TLSConfiguration?
    /// Where problems of single connections are reported (stderr in mctl).
    public var report: @Sendable (String) -> Void

    /// Frames sent to the server stay below its 256 KiB frame limit.
    static let maxSendFrame = 64 * 1024

    /// Throws ``TunnelForwarderError/tlsNeedsHostName(_:)`` for `https://` with an IP address: the
    /// WebSocket client always sends the host as TLS SNI, where an IP address is not allowed.
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
        if secure {
            var tls = TLSConfiguration.makeClientConfiguration()
            if insecureSkipTLSVerify { tls.certificateVerification = .none }
            self.tls = tls
        }
        self.report = report
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
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
                }
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw TunnelForwarderError.portInUse(host: host, port: port)
        } catch let error as IOError where error.errnoCode == EACCES {
            throw TunnelForwarderError.permissionDenied(host: host, port: port)
        }
    }

    /// Accepts connections until the listener closes (or the task is cancelled), each relayed in a
    /// task of its own.
    public func serve(_ listener: Listener) async throws {
        try await listener.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    group.addTask { await relay(connection) }
                }
            }
        }
    }

    /// One local connection through one WebSocket.
    func relay(_ connection: Connection) async {
        let peer = connection.channel.remoteAddress.map { "\($0)" } ?? "?"
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        configuration.additionalHeaders[.authorization] = "Bearer " + credential
        let logger = Logger(label: "mctl.tunnels.connect", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            try await connection.executeThenClose { localIn, localOut in
                let close = try await WebSocketClient.connect(
                    url: url, configuration: configuration, tlsConfiguration: tls, logger: logger
                ) { wsIn, wsOut, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await var chunk in localIn {
                                while let frame = chunk.readSlice(length: min(chunk.readableBytes, Self.maxSendFrame)),
                                    frame.readableBytes > 0
                                {
                                    try await wsOut.write(.binary(frame))
                                }
                            }
                            // Local EOF: an empty frame finishes the runner side; the answer still comes.
                            try await wsOut.write(.binary(ByteBuffer()))
                        }
                        for try await frame in wsIn {
                            try await localOut.write(frame.data)
                        }
                        // The server closed: the runner side ended. The local client gets its FIN.
                        localOut.finish()
                        group.cancelAll()
                    }
                }
                if let close, close.closeCode != .normalClosure {
                    let reason = close.reason.map { ": " + $0 } ?? ""
                    report("connection from \(peer) closed by the server (\(Self.code(close.closeCode)))\(reason)")
                }
            }
        } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
            report("connection from \(peer): the server refused the WebSocket (the tunnel may be closed, expired or its runner gone)")
        } catch is CancellationError {
        } catch {
            report("connection from \(peer) failed: \(error)")
        }
    }

    static func code(_ code: WebSocketErrorCode) -> String {
        var buffer = ByteBuffer()
        buffer.write(webSocketErrorCode: code)
        return buffer.readInteger(as: UInt16.self).map(String.init) ?? "\(code)"
    }
}
