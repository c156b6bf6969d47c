import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Client

/// mctl's masking frame encoder against NIO's frame decoder: every length form, and the bytes on
/// the wire the RFC asks for.
@Suite struct WebSocketClientFrameEncoderTests {
    static func payload(_ count: Int, seed: UInt64) -> ByteBuffer {
        var state = seed
        var buffer = ByteBuffer()
        for _ in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            buffer.writeInteger(UInt8(truncatingIfNeeded: state >> 56))
        }
        return buffer
    }

    @Test func framesOfEveryLengthFormDecodeToWhatWasSent() throws {
        let writer = EmbeddedChannel(handler: WebSocketClientFrameEncoder())
        let reader = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        let cases: [(WebSocketOpcode, Bool, Int)] = [
            (.binary, true, 0), (.binary, true, 125), (.binary, false, 126), (.continuation, true, 65_535),
            (.binary, true, 65_536), (.binary, true, 300_001), (.ping, true, 5), (.connectionClose, true, 2),
        ]
        for (index, (opcode, fin, count)) in cases.enumerated() {
            let data = Self.payload(count, seed: UInt64(index) + 100)
            try writer.writeOutbound(WebSocketFrame(fin: fin, opcode: opcode, data: data))
            let wire = try #require(try writer.readOutbound(as: ByteBuffer.self))
            #expect(try writer.readOutbound(as: ByteBuffer.self) == nil, "one buffer per frame")
            #expect(wire.getInteger(at: 1, as: UInt8.self).map { $0 & 0x80 } == 0x80, "masked")
            try reader.writeInbound(wire)
            let frame = try #require(try reader.readInbound(as: WebSocketFrame.self))
            #expect(frame.opcode == opcode && frame.fin == fin)
            #expect(frame.maskKey != nil)
            #expect(frame.unmaskedData == data, "\(opcode) of \(count) bytes")
        }
        _ = try writer.finish()
        _ = try reader.finish()
    }

    @Test func aGivenKeyIsTheOneOnTheWire() throws {
        let writer = EmbeddedChannel(handler: WebSocketClientFrameEncoder())
        let key = WebSocketMaskingKey([1, 2, 3, 4])!
        try writer.writeOutbound(WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: ByteBuffer(string: "abcde")))
        let wire = try #require(try writer.readOutbound(as: ByteBuffer.self))
        let a = UInt8(ascii: "a")
        // FIN|text, mask bit|5, the key, "abcde" XOR 1 2 3 4 1.
        #expect(Array(wire.readableBytesView) == [0x81, 0x85, 1, 2, 3, 4, a ^ 1, (a + 1) ^ 2, (a + 2) ^ 3, (a + 3) ^ 4, (a + 4) ^ 1])
        _ = try writer.finish()
    }
}
