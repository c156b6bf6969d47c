import Fabric
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import Testing

/// Test-only tunnel route: accepts every tunnel stream and echoes its DATA (END_STREAM included) back.
struct EchoStreamHandler: FabricDataStreamHandler {
    let accepted = NIOLockedValueBox<[FabricDataStreamRequest]>([])

    func handleTunnelStream(_ request: FabricDataStreamRequest) -> FabricDataStreamDecision {
        self.accepted.withLockedValue { $0.append(request) }
        return .accept(headers: ["x-echo": "1"]) { channel in
            try channel.pipeline.syncOperations.addHandler(DataEchoHandler())
        }
    }
}

/// Echoes DATA frames back, honouring backpressure: while the stream is unwritable it stops reading, so the
/// peer runs out of stream window instead of this side buffering.
final class DataEchoHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var readPending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .data(let frame) = self.unwrapInboundIn(data) else { return }
        context.write(self.wrapOutboundOut(.data(frame)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            self.readPending = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, self.readPending {
            self.readPending = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }
}

/// Collects a stream's DATA until END_STREAM.
final class DataCollector: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload

    private var body = ByteBuffer()
    private var promise: EventLoopPromise<ByteBuffer>?

    init(promise: EventLoopPromise<ByteBuffer>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .data(let frame) = self.unwrapInboundIn(data) else { return }
        if case .byteBuffer(var bytes) = frame.data {
            self.body.writeBuffer(&bytes)
        }
        if frame.endStream, let promise = self.promise {
            self.promise = nil
            promise.succeed(self.body)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let promise = self.promise {
            self.promise = nil
            promise.fail(FabricDataError.streamClosed)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let promise = self.promise {
            self.promise = nil
            promise.fail(FabricDataError.streamClosed)
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(15),
    _ what: String,
    _ condition: @Sendable () async -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting for: \(what)")
    throw FabricDataError.timedOut
}

/// Self-signed certificate for `localhost` / 127.0.0.1 (P-256, valid until 2126), for the TLS loopback test.
enum TestCertificate {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBmTCCAT6gAwIBAgIUEBjA8/aCr9lub0zb+zu0BNsrDBAwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyOTE3MDU0N1oYDzIxMjYxMTA1
        MTcwNTQ3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAARHy/ns/JDKTz6cEusWMIWOHtQoaLOhNlVkkSlvCZ5piqKtMGQHZaV1
        Q+nFV/iWZ0SiVxs0ZvgmLvnzpm+z0N3No2wwajAdBgNVHQ4EFgQU+LBqDLl6OmuF
        4OnFKZXGYzN095UwHwYDVR0jBBgwFoAU+LBqDLl6OmuF4OnFKZXGYzN095UwGgYD
        VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMAwGA1UdEwEB/wQCMAAwCgYIKoZIzj0E
        AwIDSQAwRgIhANbKg3PjYB+1Ifr4iE75UrxFtfyvIqHXDcZIzkWZFI8UAiEAlIw4
        HQkP/zsETX3rSMej6+hLEuyMFPigzyScw/AVOuM=
        -----END CERTIFICATE-----
        """

    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBnh1bwNEI5aTR9st
        liNU6dQ29KAcVH6Ow3gTBROKBEqhRANCAARHy/ns/JDKTz6cEusWMIWOHtQoaLOh
        NlVkkSlvCZ5piqKtMGQHZaV1Q+nFV/iWZ0SiVxs0ZvgmLvnzpm+z0N3N
        -----END PRIVATE KEY-----
        """
}
