import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import Gateway

/// The public listener as main serves it (`GatewayBuilder.publicServer`): the tunnel ingress reads
/// each connection's first request head before Hummingbird's pipeline exists, and installs that
/// pipeline only for API connections. Nothing the client sent meanwhile may be lost.
@Suite struct TunnelIngressHandoverTests {
    /// A head that arrives in pieces, a body whose first bytes come with the head and the rest
    /// later, and a connection closed before its first head ended: each complete request is
    /// answered, and the listener goes on serving. (Requests pipelined before the first answer are
    /// not tried: Hummingbird's upgrade negotiation answers only the first of them, with or
    /// without the ingress in front.)
    @Test func apiRequestsSentDuringTheHandoverAreAnswered() async throws {
        let harness = try await GatewayHarness.make()
        try await PublicServerRun.with(harness) { port in
            let pieces = ["GET /hea", "lth HTTP/1.1\r\nHo", "st: localhost\r\n", "Connection: close\r\n\r\n"]
            let split = try await Self.exchange(port: port, pieces)
            #expect(Self.statusLines(split) == ["HTTP/1.1 200 OK"], "\(split)")

            let body = #"{"agent": "command", "name": "handover"}"#
            let head = "POST /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(harness.key)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            let created = try await Self.exchange(port: port, [head + body.prefix(10), String(body.dropFirst(10))])
            #expect(Self.statusLines(created) == ["HTTP/1.1 201 Created"], "\(created)")
            #expect(created.contains(#""name":"handover""#) || created.contains(#""name": "handover""#), "\(created)")

            // Closed mid-head: no answer, and the listener goes on serving.
            let cut = try await Self.exchange(port: port, ["GET /health HTTP/1.1\r\nHost: lo"])
            #expect(cut.isEmpty)
            let after = try await Self.exchange(port: port, ["GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"])
            #expect(Self.statusLines(after) == ["HTTP/1.1 200 OK"], "\(after)")
        }
        await harness.close()
    }

    static func statusLines(_ text: String) -> [String] {
        text.components(separatedBy: "\r\n").filter { $0.hasPrefix("HTTP/1.1 ") }
    }

    /// Writes each piece (a pause between them), half-closes, and reads until the server closes.
    static func exchange(port: Int, _ pieces: [String]) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        // A server that never answers nor closes fails the test instead of hanging it.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            channel.channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            for (index, piece) in pieces.enumerated() {
                if index > 0 { try await Task.sleep(for: .milliseconds(30)) }
                try await outbound.write(ByteBuffer(string: piece))
            }
            outbound.finish()
            var text = ""
            for try await bytes in inbound { text += String(buffer: bytes) }
            return text
        }
    }
}

/// Server shutdown: Hummingbird waits for every connection to close, so one that never finished
/// its first request (a browser's preconnect) is closed when the server quiesces.
@Suite struct TunnelIngressQuiesceTests {
    @Test func aConnectionWithoutARequestClosesOnQuiesce() async throws {
        let harness = try await GatewayHarness.make()
        let ingress = TunnelIngress(
            router: TunnelIngressRouter(domain: "tunnels.localhost"), runtime: harness.services.tunnelRuntime,
            scheme: "http", idleTimeout: .seconds(300))
        let handedOver = NIOLockedValueBox(false)
        let channel = EmbeddedChannel(
            handler: TunnelIngressHandler(ingress: ingress) { _, _ in handedOver.withLockedValue { $0 = true } })
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        try channel.writeInbound(ByteBuffer(string: "GET /hea"))
        #expect(channel.isActive)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive, "closed on quiesce")
        #expect(!handedOver.withLockedValue { $0 }, "nothing for Hummingbird to serve")
        _ = try? channel.finish()
        await harness.close()
    }
}
