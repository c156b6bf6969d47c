import Core
import NIOCore
import NIOWebSocket

/// Unmasks the client's frames of a `GET /api/v1/tunnels/{id}/connect` WebSocket with
/// `WebSocketMasking`, right after the frame decoder, and passes them on without a key: the
/// WebSocket library then takes the payload as it is instead of unmasking it byte by byte on a
/// task (at `mctl tunnels connect` upload rates that loop was the server's largest cost). Frames
/// decoded before this handler was added, and frames with extension data, pass as they came and
/// are unmasked by the library as before.
final class TunnelWebSocketUnmasker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard let key = frame.maskKey, frame.extensionData == nil else {
            context.fireChannelRead(data)
            return
        }
        let length = frame.data.readableBytes
        // A new buffer, filled in one pass: the payload is a slice of the decoder's buffer, so
        // masking it in place would copy it first.
        var plain = context.channel.allocator.buffer(capacity: length)
        plain.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
            frame.data.withUnsafeReadableBytes { WebSocketMasking.mask($0, key: (key[0], key[1], key[2], key[3]), into: output) }
            return length
        }
        frame.data = plain
        frame.maskKey = nil
        context.fireChannelRead(wrapInboundOut(frame))
    }

    /// Puts an unmasker right after the channel's WebSocket frame decoder, if it has one. Call on
    /// the channel's event loop.
    static func install(on channel: any Channel) {
        let pipeline = channel.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) else { return }
        try? pipeline.addHandler(TunnelWebSocketUnmasker(), position: .after(decoder))
    }
}
