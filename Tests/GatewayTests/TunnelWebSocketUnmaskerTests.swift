import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Gateway

/// The connect route's frame unmasker on an EmbeddedChannel, behind NIO's real frame decoder: masked
/// client frames come out plain and without a key, so the library's own unmasking finds nothing to do.
struct TunnelWebSocketUnmaskerTests {
    static func wire(_ frames: [WebSocketFrame]) throws -> ByteBuffer {
        let encoder = EmbeddedChannel(handler: WebSocketFrameEncoder())
        var all = ByteBuffer()
        for frame in frames {
            try encoder.writeOutbound(frame)
            while var part = try encoder.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&part) }
        }
        _ = try encoder.finish()
        return all
    }

    @Test func maskedFramesComeOutPlainWithoutAKey() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        TunnelWebSocketUnmasker.install(on: channel)
        let payloads = [ByteBuffer(), ByteBuffer(string: "abc"), ByteBuffer(repeating: 0x5a, count: 70_001)]
        let frames = payloads.map { WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: $0) }
            + [WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "unmasked"))]
        try channel.writeInbound(try Self.wire(frames))
        for payload in payloads {
            let frame = try #require(try channel.readInbound(as: WebSocketFrame.self))
            #expect(frame.maskKey == nil)
            #expect(frame.data == payload)
        }
        // A frame that came without a key passes as it came.
        let ping = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(ping.opcode == .ping && ping.maskKey == nil && ping.data == ByteBuffer(string: "unmasked"))
        _ = try channel.finish()
    }

    @Test func aChannelWithoutAFrameDecoderIsLeftAlone() throws {
        let channel = EmbeddedChannel()
        TunnelWebSocketUnmasker.install(on: channel)
        #expect((try? channel.pipeline.syncOperations.handler(type: TunnelWebSocketUnmasker.self)) == nil)
        _ = try channel.finish()
    }
}
