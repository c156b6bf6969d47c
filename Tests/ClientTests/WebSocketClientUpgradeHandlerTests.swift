import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Client

/// The handshake handler of `mctl tunnels connect` on an embedded channel: what it sends, and that
/// whatever the server sends with its 101 reaches the frame consumer before the end of the input.
@Suite struct WebSocketClientUpgradeHandlerTests {
    /// What reaches the end of the pipeline once upgraded.
    final class Consumer: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        enum Event: Equatable {
            case frame(WebSocketOpcode, String)
            case inputClosed
            case inactive
        }
        var events: [Event] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            var payload = frame.unmaskedData
            if frame.opcode == .connectionClose { payload.moveReaderIndex(forwardBy: 2) }
            events.append(.frame(frame.opcode, payload.readString(length: payload.readableBytes) ?? ""))
        }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event { events.append(.inputClosed) }
        }
        func channelInactive(context: ChannelHandlerContext) {
            events.append(.inactive)
        }
    }

    struct Setup {
        let channel = EmbeddedChannel()
        let consumer = Consumer()
        let promise: EventLoopPromise<Void>
        let handshake = WebSocketHandshake(host: "h:1", path: "/ws", key: "dGhlIHNhbXBsZSBub25jZQ==")

        init(timeout: TimeAmount = .seconds(30)) throws {
            promise = channel.eventLoop.makePromise()
            let consumer = consumer
            try channel.pipeline.syncOperations.addHandler(
                WebSocketClientUpgradeHandler(handshake: handshake, maxFrameSize: 1 << 16, timeout: timeout, promise: promise) {
                    channel in try channel.pipeline.syncOperations.addHandler(consumer)
                })
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        var result: Result<Void, any Error>? {
            var result: Result<Void, any Error>?
            promise.futureResult.whenComplete { result = $0 }
            return result
        }

        func serverBytes(_ text: String, frames: [WebSocketFrame] = []) -> ByteBuffer {
            var buffer = ByteBuffer(string: text)
            let encoder = EmbeddedChannel(handler: WebSocketFrameEncoder())
            for frame in frames {
                try? encoder.writeOutbound(frame)
                while var part = try? encoder.readOutbound(as: ByteBuffer.self) { buffer.writeBuffer(&part) }
            }
            return buffer
        }
    }

    static let switching =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"

    static func close(_ code: UInt16, _ reason: String) -> WebSocketFrame {
        var data = ByteBuffer()
        data.writeInteger(code)
        data.writeString(reason)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }

    @Test func theRequestGoesOutWhenConnected() throws {
        let setup = try Setup()
        var sent = try #require(try setup.channel.readOutbound(as: ByteBuffer.self))
        #expect(sent.readString(length: sent.readableBytes)?.hasPrefix("GET /ws HTTP/1.1\r\nHost: h:1\r\n") == true)
        #expect(setup.result == nil)
    }

    /// The 101, a close frame and the FIN read at once (a runner that could not dial, under load):
    /// the close frame and then the end of input reach the consumer. NIO's upgrade handler lost both.
    @Test func aCloseReadWithThe101AndTheFINReachesTheConsumer() throws {
        let setup = try Setup()
        let bytes = setup.serverBytes(Self.switching, frames: [Self.close(1011, "the runner could not connect")])
        try setup.channel.writeInbound(bytes)
        setup.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try setup.result?.get() != nil)
        #expect(setup.consumer.events == [.frame(.connectionClose, "the runner could not connect"), .inputClosed])
    }

    @Test func aHeadInPiecesAndTheFramesAfterIt() throws {
        let setup = try Setup()
        let bytes = setup.serverBytes(
            Self.switching,
            frames: [
                WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(string: "hello")),
                WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(string: "world")),
            ])
        for start in stride(from: 0, to: bytes.readableBytes, by: 7) {
            try setup.channel.writeInbound(bytes.getSlice(at: start, length: min(7, bytes.readableBytes - start))!)
        }
        #expect(setup.consumer.events == [.frame(.binary, "hello"), .frame(.binary, "world")])
        try setup.channel.writeInbound(setup.serverBytes("", frames: [Self.close(1000, "")]))
        #expect(setup.consumer.events.last == .frame(.connectionClose, ""))
    }

    @Test func aRefusalFailsAndClosesTheConnection() throws {
        let setup = try Setup()
        try setup.channel.writeInbound(ByteBuffer(string: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        #expect(throws: WebSocketHandshakeError.refused(status: 404)) { try setup.result?.get() }
        #expect(!setup.channel.isActive)
        #expect(setup.consumer.events.isEmpty)
    }

    @Test func theEndBeforeTheAnswerFails() throws {
        let setup = try Setup()
        try setup.channel.writeInbound(ByteBuffer(string: "HTTP/1.1 101 Switching"))
        setup.channel.pipeline.fireChannelInactive()
        #expect(throws: WebSocketHandshakeError.connectionClosed) { try setup.result?.get() }
    }

    @Test func noAnswerInTimeFails() throws {
        let setup = try Setup(timeout: .seconds(5))
        setup.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(setup.result == nil)
        setup.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(throws: WebSocketHandshakeError.timedOut) { try setup.result?.get() }
        #expect(!setup.channel.isActive)
    }
}
