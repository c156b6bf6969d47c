import Fabric
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

/// Records the splice calls one end receives (on its loop).
final class SpliceCallRecorder: TunnelSpliceEndpoint {
    var writability: [Bool] = []
    var received = 0
    func spliceAttached(to peer: TunnelSplicePeer) {}
    func spliceReceived(_ bytes: ByteBuffer) { received += bytes.readableBytes }
    func spliceFinished() {}
    func spliceAborted(_ reason: TunnelAbort) {}
    func splicePeerWritabilityChanged(_ writable: Bool) { writability.append(writable) }
    func spliceQueueDrained() {}
}

/// The hand-offs between the runner side's event loop and the tasks of the connect WebSocket.
@Suite struct TunnelWebSocketHandoffTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    /// A recorder on `loop` and its handle; `calls()` reads what it received after the calls
    /// queued so far ran.
    func recorder() async throws -> (TunnelSplicePeer, @Sendable () async throws -> [Bool]) {
        let loop = self.loop
        let (peer, bound) = try await loop.submit {
            let recorder = SpliceCallRecorder()
            return (TunnelSplicePeer(recorder, eventLoop: loop), NIOLoopBound(recorder, eventLoop: loop))
        }.get()
        return (peer, { try await loop.submit { bound.value.writability }.get() })
    }

    @Test func theOutputPausesTheRunnerSideWhenFullAndResumesItWhenDrained() async throws {
        let (peer, calls) = try await recorder()
        let output = TunnelWebSocketOutput()
        output.attach(peer)
        let chunk = ByteBuffer(repeating: 1, count: 600 * 1024)
        output.push(.bytes(chunk))
        output.push(.bytes(chunk))  // 1.2 MiB > 1 MiB
        #expect(try await calls() == [false])
        output.tellWritability()  // spliceQueueDrained while still full: still paused
        #expect(try await calls() == [false, false])
        _ = await output.next()  // 600 KiB left
        #expect(try await calls() == [false, false])
        _ = await output.next()  // empty: below 256 KiB
        #expect(try await calls() == [false, false, true])
        output.push(.close(nil))
        #expect(await output.next() == .close(nil))
    }

    @Test func theWriterWaitsForTheNextItem() async throws {
        let output = TunnelWebSocketOutput()
        async let next = output.next()
        try await Task.sleep(for: .milliseconds(50))
        output.push(.bytes(ByteBuffer(string: "hi")))
        #expect(await next == .bytes(ByteBuffer(string: "hi")))
    }

    @Test func theReaderWaitsForAnAttachedWritableRunnerSide() async throws {
        let (peer, _) = try await recorder()
        let gate = TunnelWebSocketReadGate()
        async let first = gate.ready()
        try await Task.sleep(for: .milliseconds(50))
        gate.attach(peer)
        #expect(await first != nil)

        gate.peerWritabilityChanged(false)
        async let second = gate.ready()
        try await Task.sleep(for: .milliseconds(50))
        gate.peerWritabilityChanged(true)
        #expect(await second != nil)

        gate.peerWritabilityChanged(false)
        async let third = gate.ready()
        try await Task.sleep(for: .milliseconds(50))
        gate.close()
        #expect(await third == nil)
    }
}
