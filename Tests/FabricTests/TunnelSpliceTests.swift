#if canImport(Glibc)
import Glibc
#endif
import Fabric
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOEmbedded
import NIOHTTP2
import Testing

/// Records what reaches the head of an embedded pipeline: `read()` calls and closes. Output
/// half-closes are recorded and swallowed (EmbeddedChannel would close fully).
final class PipelineHeadRecorder: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var reads = 0
    var closes: [CloseMode] = []

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        closes.append(mode)
        if mode == .output {
            promise?.succeed(())
            return
        }
        context.close(mode: mode, promise: promise)
    }
}

@Suite struct TunnelSpliceStateTests {
    @Test func readsWaitForTheAttachedWritablePeer() {
        var state = TunnelSpliceState()
        var outcomes: [Bool] = []
        outcomes.append(state.readRequested())  // held: not attached
        outcomes.append(state.attach())  // the held read goes out
        outcomes.append(state.readRequested())
        outcomes.append(state.peerWritabilityChanged(false))
        outcomes.append(state.readRequested())  // held: peer unwritable
        outcomes.append(state.readRequested())
        outcomes.append(state.peerWritabilityChanged(true))  // released once
        outcomes.append(state.peerWritabilityChanged(true))
        #expect(outcomes == [false, true, true, false, false, false, true, false])
    }

    @Test func halfClosesFinishAndAbortHappensOnce() {
        var state = TunnelSpliceState()
        _ = state.attach()
        let afterInput = state.inputEnded()
        let afterOutput = state.outputEnded()
        let again = state.outputEnded()
        #expect(!afterInput && afterOutput && !again && state.isFinished)
        var other = TunnelSpliceState()
        let first = other.abort()
        let second = other.abort()
        let read = other.readRequested()
        #expect(first && !second && !read && !other.readAllowed)
    }
}

/// A socket end and a stream end spliced on embedded channels (both ends share the loop, so calls
/// are synchronous, as on the runner where the local socket is dialled on the data connection's loop).
@Suite struct TunnelSpliceEndTests {
    struct Pair {
        let socket: EmbeddedChannel
        let stream: EmbeddedChannel
        let socketHead: PipelineHeadRecorder
        let streamHead: PipelineHeadRecorder
    }

    static func pair(attach: Bool = true) throws -> Pair {
        let loop = EmbeddedEventLoop()
        let socketHead = PipelineHeadRecorder()
        let streamHead = PipelineHeadRecorder()
        let socketEnd = TunnelSocketEnd()
        let socket = EmbeddedChannel(handlers: [socketHead, socketEnd], loop: loop)
        let streamEnd = TunnelStreamEnd(peer: socketEnd.link(eventLoop: loop))
        let stream = EmbeddedChannel(handlers: [streamHead, streamEnd], loop: loop)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 9)
        try socket.connect(to: address).wait()
        try stream.connect(to: address).wait()
        if attach { socketEnd.link(eventLoop: loop).attach(streamEnd.link(eventLoop: loop)) }
        return Pair(socket: socket, stream: stream, socketHead: socketHead, streamHead: streamHead)
    }

    static func data(_ text: String, end: Bool = false) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: end))
    }

    static func readData(_ channel: EmbeddedChannel) throws -> (String, Bool)? {
        guard let payload = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else { return nil }
        guard case .data(let frame) = payload, case .byteBuffer(let bytes) = frame.data else {
            Issue.record("expected DATA, got \(payload)")
            return nil
        }
        return (String(buffer: bytes), frame.endStream)
    }

    @Test func bytesFlowBothWaysAsTheyArrive() throws {
        let p = try Self.pair()
        try p.socket.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        let up = try #require(try Self.readData(p.stream))
        #expect(up.0 == "GET / HTTP/1.1\r\n\r\n" && !up.1)
        try p.stream.writeInbound(Self.data("HTTP/1.1 200 OK\r\n"))
        try p.stream.writeInbound(Self.data("data: 1\n\n"))
        #expect(try p.socket.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "HTTP/1.1 200 OK\r\n")
        #expect(try p.socket.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "data: 1\n\n")
        #expect(p.socket.isActive && p.stream.isActive)
    }

    @Test func halfClosesMapToEndStreamAndFIN() throws {
        let p = try Self.pair()
        // Client EOF → END_STREAM upstream; the socket stays open for the answer.
        p.socket.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        let end = try #require(try Self.readData(p.stream))
        #expect(end.0.isEmpty && end.1)
        #expect(p.socket.isActive)
        // The answer, then END_STREAM → written, then the socket's write side shut, then closed.
        try p.stream.writeInbound(Self.data("bye", end: true))
        #expect(try p.socket.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "bye")
        #expect(p.socketHead.closes == [.output, .all])
        #expect(!p.socket.isActive)
    }

    @Test func readsAreWithheldUntilAttachedAndWhilePeerIsUnwritable() throws {
        let p = try Self.pair(attach: false)
        p.socket.read()
        #expect(p.socketHead.reads == 0)
        let loop = p.socket.eventLoop
        let socketEnd = try p.socket.pipeline.syncOperations.handler(type: TunnelSocketEnd.self)
        let streamEnd = try p.stream.pipeline.syncOperations.handler(type: TunnelStreamEnd.self)
        socketEnd.link(eventLoop: loop).attach(streamEnd.link(eventLoop: loop))
        #expect(p.socketHead.reads == 1)  // the held read went out

        // The stream turns unwritable (window exhausted): the socket is not read.
        p.stream.isWritable = false
        p.stream.pipeline.fireChannelWritabilityChanged()
        p.socket.read()
        p.socket.read()
        #expect(p.socketHead.reads == 1)
        p.stream.isWritable = true
        p.stream.pipeline.fireChannelWritabilityChanged()
        #expect(p.socketHead.reads == 2)

        // And the other way: a slow client socket stops stream reads (no WINDOW_UPDATE).
        p.socket.isWritable = false
        p.socket.pipeline.fireChannelWritabilityChanged()
        p.stream.read()
        #expect(p.streamHead.reads == 0)
        p.socket.isWritable = true
        p.socket.pipeline.fireChannelWritabilityChanged()
        #expect(p.streamHead.reads == 1)
    }

    @Test func aStreamResetResetsTheSocket() throws {
        let p = try Self.pair()
        p.stream.close(promise: nil)  // RST_STREAM from the peer ends the stream channel
        #expect(!p.socket.isActive)
        #expect(p.socketHead.closes == [.all])
    }

    @Test func aSocketFailureResetsTheStream() throws {
        let p = try Self.pair()
        p.socket.pipeline.fireErrorCaught(ChannelError.ioOnClosedChannel)
        #expect(!p.socket.isActive)
        #expect(!p.stream.isActive)  // closing an open stream channel sends RST_STREAM CANCEL
        #expect(p.streamHead.closes == [.all])
    }

    @Test func anEOFAfterOurFINIsACleanEnd() throws {
        let p = try Self.pair()
        // The stream finished first: the socket's write side is shut; then the origin closes.
        try p.stream.writeInbound(Self.data("last", end: true))
        #expect(p.socketHead.closes == [.output])
        p.socket.close(promise: nil)  // NIO closes fully on an EOF after output shutdown
        let end = try #require(try Self.readData(p.stream))
        #expect(end.0.isEmpty && end.1)  // END_STREAM, not RST_STREAM
        #expect(p.streamHead.closes.isEmpty)
    }

    @Test func aCleanFinishIsNotAReset() throws {
        let p = try Self.pair()
        p.socket.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        try p.stream.writeInbound(Self.data("", end: true))
        // Both directions ended: the socket closes, the stream is not reset by the splice.
        #expect(!p.socket.isActive)
        #expect(p.streamHead.closes.isEmpty)
    }

    @Test func anIdleConnectionIsResetOnBothSides() throws {
        let loop = EmbeddedEventLoop()
        let socketEnd = TunnelSocketEnd()
        // IdleStateHandler measures idleness on the real clock and checks on the loop's schedule.
        let socket = EmbeddedChannel(handlers: [IdleStateHandler(allTimeout: .milliseconds(100)), socketEnd], loop: loop)
        let streamEnd = TunnelStreamEnd(peer: socketEnd.link(eventLoop: loop))
        let stream = EmbeddedChannel(handler: streamEnd, loop: loop)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 9)
        try socket.connect(to: address).wait()
        try stream.connect(to: address).wait()
        socketEnd.link(eventLoop: loop).attach(streamEnd.link(eventLoop: loop))
        #expect(socket.isActive && stream.isActive)
        usleep(150_000)
        loop.advanceTime(by: .seconds(1))
        #expect(!socket.isActive && !stream.isActive)
    }

    @Test func aTunnelEndAbortsBothSides() throws {
        let p = try Self.pair()
        let socketEnd = try p.socket.pipeline.syncOperations.handler(type: TunnelSocketEnd.self)
        socketEnd.link(eventLoop: p.socket.eventLoop).abort(.tunnelEnded(status: 410, code: "tunnel_closed", message: "x"))
        #expect(!p.socket.isActive && !p.stream.isActive)
    }
}

/// A stream end tells its meter when bytes stop one way: its own channel unwritable (the HTTP/2
/// window is spent) or the other end unwritable (nothing is read, the peer's window fills).
@Suite struct TunnelStreamStallTests {
    final class StallMeter: TunnelByteMeter {
        let stalls = NIOLockedValueBox<[Bool]>([])
        func count(received: Int, sent: Int) {}
        func stalled(sending: Bool) { stalls.withLockedValue { $0.append(sending) } }
    }

    @Test func stallsAreCountedEachWay() throws {
        let meter = StallMeter()
        let end = TunnelStreamEnd(meter: meter)
        let stream = EmbeddedChannel(handler: end)
        stream.isWritable = false
        stream.pipeline.fireChannelWritabilityChanged()
        stream.isWritable = true
        stream.pipeline.fireChannelWritabilityChanged()
        end.link(eventLoop: stream.eventLoop).writabilityChanged(false)
        end.link(eventLoop: stream.eventLoop).writabilityChanged(true)
        #expect(meter.stalls.withLockedValue { $0 } == [true, false])
        _ = try? stream.finish()
    }
}

/// Cross-loop sends count the bytes waiting on the receiver's loop: the sender sees a backlog above
/// the high mark and the receiver hears when it drained below the low mark.
@Suite struct TunnelSplicePeerBacklogTests {
    final class Recorder: TunnelSpliceEndpoint {
        var received = 0
        var drained = 0
        func spliceAttached(to peer: TunnelSplicePeer) {}
        func spliceReceived(_ bytes: ByteBuffer) { received += bytes.readableBytes }
        func spliceFinished() {}
        func spliceAborted(_ reason: TunnelAbort) {}
        func splicePeerWritabilityChanged(_ writable: Bool) {}
        func spliceQueueDrained() { drained += 1 }
    }

    @Test func backlogRisesWhileTheReceiverLoopIsBusyAndDrains() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let receiverLoop = group.next()
        let (peer, recorder) = try await receiverLoop.submit { () -> (TunnelSplicePeer, NIOLoopBound<Recorder>) in
            let recorder = Recorder()
            return (TunnelSplicePeer(recorder, eventLoop: receiverLoop), NIOLoopBound(recorder, eventLoop: receiverLoop))
        }.get()
        // Block the receiver's loop so queued sends pile up.
        let gate = NIOLockedValueBox(false)
        receiverLoop.execute {
            while !gate.withLockedValue({ $0 }) { usleep(1000) }
        }
        let chunk = ByteBuffer(repeating: 0, count: 256 * 1024)
        for _ in 0..<6 { peer.send(chunk) }  // 1.5 MiB from this (foreign) thread
        #expect(peer.isBacklogged)
        gate.withLockedValue { $0 = true }
        // Once the loop ran the queued writes, the backlog is gone and the drain was announced once.
        let (backlogged, received, drained) = try await receiverLoop.submit {
            (peer.isBacklogged, recorder.value.received, recorder.value.drained)
        }.get()
        #expect(!backlogged && received == 6 * 256 * 1024 && drained == 1)
        try await group.shutdownGracefully()
    }
}
