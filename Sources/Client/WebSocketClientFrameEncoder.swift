import Core
import NIOCore
import NIOWebSocket

/// Writes mctl's WebSocket frames (RFC 6455 §5.2), masked as a client's must be, with
/// `WebSocketMasking` instead of NIO's encoder and its byte-by-byte loop. A frame's data is its
/// unmasked payload (extension data is never set: mctl negotiates no extension); a frame without a
/// key gets a random one. Header and masked payload go out as one buffer, filled in one pass.
final class WebSocketClientFrameEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        let key = frame.maskKey ?? .random()
        let length = frame.data.readableBytes
        var out = context.channel.allocator.buffer(capacity: 14 + length)
        var first = UInt8(webSocketOpcode: frame.opcode)
        if frame.fin { first |= 0x80 }
        if frame.rsv1 { first |= 0x40 }
        if frame.rsv2 { first |= 0x20 }
        if frame.rsv3 { first |= 0x10 }
        out.writeInteger(first)
        if length < 126 {
            out.writeInteger(UInt8(0x80 | length))
        } else if length <= Int(UInt16.max) {
            out.writeInteger(UInt8(0x80 | 126))
            out.writeInteger(UInt16(length))
        } else {
            out.writeInteger(UInt8(0x80 | 127))
            out.writeInteger(UInt64(length))
        }
        out.writeBytes(key)
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
            frame.data.withUnsafeReadableBytes { WebSocketMasking.mask($0, key: (key[0], key[1], key[2], key[3]), into: output) }
            return length
        }
        context.write(wrapOutboundOut(out), promise: promise)
    }
}
