import Fabric
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Prometheus
import Testing

@testable import Gateway

/// Standby streams (``FabricDataStandbyAssignment``) against the real data server and broker over
/// loopback; the test plays the runner with a raw data connection, and the client connections with
/// recording splice ends.
@Suite(.timeLimit(.minutes(2))) struct TunnelStandbyTests {
    static let runnerID = "run_standby"

    /// What one client connection's end saw.
    final class RecordingEnd: TunnelSpliceEndpoint, Sendable {
        struct Seen: Sendable {
            var server: TunnelSplicePeer?
            var received = ""
            var aborted: TunnelAbort?
        }
        let seen = NIOLockedValueBox(Seen())

        func spliceAttached(to peer: TunnelSplicePeer) { seen.withLockedValue { $0.server = peer } }
        func spliceReceived(_ bytes: ByteBuffer) { seen.withLockedValue { $0.received += String(buffer: bytes) } }
        func spliceFinished() {}
        /// The first reason counts (a 502 is followed by the stream's reset).
        func spliceAborted(_ reason: TunnelAbort) { seen.withLockedValue { if $0.aborted == nil { $0.aborted = reason } } }
        func splicePeerWritabilityChanged(_ writable: Bool) {}
        func spliceQueueDrained() {}
    }

    /// The runner's view of one standby stream: DATA it received, and whether it closed.
    final class RunnerStream: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTP2Frame.FramePayload
        let received = NIOLockedValueBox("")
        let closed = NIOLockedValueBox(false)

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .data(let frame) = unwrapInboundIn(data), case .byteBuffer(let bytes) = frame.data {
                received.withLockedValue { $0 += String(buffer: bytes) }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.withLockedValue { $0 = true }
            context.fireChannelInactive()
        }
    }

    struct Rig {
        let broker: TunnelStreamBroker
        let connection: FabricDataConnection
        let loop: any EventLoop

        /// Opens a standby stream as the runner does.
        func standby() async throws -> (FabricDataStream, RunnerStream) {
            let recorder = RunnerStream()
            let stream = try await connection.openStream(path: FabricDataSettings.standbyPath) { channel in
                try channel.pipeline.syncOperations.addHandler(recorder)
            }
            return (stream, recorder)
        }

        /// A client connection waiting for the runner, asked as `TunnelRuntime.connect` asks.
        func connect(_ connectionID: String, fallback: @escaping @Sendable () -> Void = {}) async throws -> RecordingEnd {
            let end = RecordingEnd()
            let peer = try await loop.submit { TunnelSplicePeer(end, eventLoop: loop) }.get()
            broker.expect(
                connectionID: connectionID, tunnelID: "tun_standby", runnerID: TunnelStandbyTests.runnerID, localPort: 3000,
                protocol: "http", client: peer)
            let broker = self.broker
            broker.standby.dispatch(
                TunnelStandbyPool.Waiter(
                    assignment: FabricDataStandbyAssignment(tunnelID: "tun_standby", connectionID: connectionID, localPort: 3000),
                    isWanted: { broker.isWaiting(connectionID) }, fallback: fallback),
                runnerID: TunnelStandbyTests.runnerID, loop: loop)
            return end
        }
    }

    /// `standbyWait`: long by default, so a loaded machine's pauses never let a waiter fall back.
    func withRig(
        streamWait: TimeAmount = .seconds(10), standbyWait: TimeAmount = .seconds(60), _ body: (Rig) async throws -> Void
    ) async throws {
        let broker = TunnelStreamBroker(
            metrics: TunnelMetrics(registry: PrometheusCollectorRegistry()), streamWait: streamWait, standbyWait: standbyWait)
        let server = FabricDataServer(
            configuration: FabricDataServerConfiguration(host: "127.0.0.1", port: 0), authenticator: { _, _ in true },
            streamHandler: broker)
        let serverTask = Task { try await server.run() }
        defer { serverTask.cancel() }
        let port = try #require(try await server.listeningAddress().port)
        let connection = try await FabricDataConnection.connect(
            configuration: FabricDataClientConfiguration(host: "127.0.0.1", port: port, runnerID: Self.runnerID, token: "rtok_standby"))
        defer { Task { await connection.close() } }
        try await connection.checkHealth(timeout: .seconds(5))
        try await body(Rig(broker: broker, connection: connection, loop: MultiThreadedEventLoopGroup.singleton.next()))
    }

    struct NoAnswer: Error {}

    /// The server's answer to a standby stream; after 20 s the stream is closed and this throws
    /// (a future's `get()` ignores cancellation: a missing answer must not hang the test run).
    func answer(_ stream: FabricDataStream) async throws -> FabricDataResponseHead {
        let timer = Task {
            try await Task.sleep(for: .seconds(20))
            stream.channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await stream.response.get()
        } catch {
            throw NoAnswer()
        }
    }

    /// The connection a standby stream was answered with.
    func assigned(_ stream: FabricDataStream) async throws -> String? {
        try await answer(stream).headers.first(name: FabricDataStandbyAssignment.connectionIDHeader)
    }

    func eventually(_ what: String, _ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for: \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func anAnsweredStandbyStreamCarriesTheConnection() async throws {
        try await withRig { rig in
            let (stream, runner) = try await rig.standby()
            try await eventually("the stream is held idle") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == 1 }

            let client = try await rig.connect("conn_a")
            let head = try await answer(stream)
            #expect(FabricDataStandbyAssignment(responseHeaders: head.headers)
                == FabricDataStandbyAssignment(tunnelID: "tun_standby", connectionID: "conn_a", localPort: 3000))
            #expect(!head.endStream && rig.broker.standby.idleCount(runnerID: Self.runnerID) == 0)
            // The client is spliced at once: its first bytes reach the runner while it dials.
            try await eventually("the client is attached") { client.seen.withLockedValue { $0.server } != nil }
            let server = try #require(client.seen.withLockedValue { $0.server })
            server.send(ByteBuffer(string: "from client"))
            try await eventually("the runner got the client's bytes") { runner.received.withLockedValue { $0 } == "from client" }
            #expect(rig.broker.isWaiting("conn_a"), "still waiting for the runner to connect")

            // Connected (the empty frame), and the origin's first bytes.
            stream.channel.write(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()))), promise: nil)
            try await stream.channel.writeAndFlush(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "from origin")))))
            try await eventually("the client got the origin's bytes") { client.seen.withLockedValue { $0.received } == "from origin" }
            #expect(!rig.broker.isWaiting("conn_a"))
            #expect(client.seen.withLockedValue { $0.aborted } == nil)
        }
    }

    @Test func waitersAreServedInOrderAndFailuresReachTheirClients() async throws {
        try await withRig { rig in
            // A runner without standby streams: the command at once.
            let fellBack = NIOLockedValueBox<[String]>([])
            let early = try await rig.connect("conn_0") { fellBack.withLockedValue { $0.append("conn_0") } }
            #expect(fellBack.withLockedValue { $0 } == ["conn_0"])
            #expect(early.seen.withLockedValue { $0.aborted } == nil)
            _ = rig.broker.cancel("conn_0")

            let (first, _) = try await rig.standby()
            try await eventually("the first stream is held") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == 1 }
            let one = try await rig.connect("conn_1")
            let two = try await rig.connect("conn_2")
            let three = try await rig.connect("conn_3")
            #expect(try await assigned(first) == "conn_1")
            // The next streams the runner opens serve the waiting connections first come, first served.
            let (second, _) = try await rig.standby()
            #expect(try await assigned(second) == "conn_2")
            let (third, thirdRunner) = try await rig.standby()
            #expect(try await assigned(third) == "conn_3")

            // A dial error reaches its client as a 502 naming the reason.
            try await second.channel.writeAndFlush(
                HTTP2Frame.FramePayload.headers(.init(headers: FabricDataStandbyAssignment.dialErrorTrailers("port 3000 is blocked"), endStream: true)))
            try await eventually("conn_2 was refused") { two.seen.withLockedValue { $0.aborted } != nil }
            guard case .tunnelEnded(502, "bad_gateway", let message) = two.seen.withLockedValue({ $0.aborted }) else {
                Issue.record("conn_2: \(String(describing: two.seen.withLockedValue { $0.aborted }))")
                return
            }
            #expect(message.contains("port 3000 is blocked"))

            // The runner's stream closing before it connected fails its client at once.
            first.channel.close(promise: nil)
            try await eventually("conn_1 was failed") { one.seen.withLockedValue { $0.aborted } != nil }
            if case .tunnelEnded(502, _, let message) = one.seen.withLockedValue({ $0.aborted }) {
                #expect(message.contains("closed before it connected"))
            } else {
                Issue.record("conn_1: \(String(describing: one.seen.withLockedValue { $0.aborted }))")
            }

            // A client that left before the runner connected: its stream is reset when the runner says connected.
            _ = rig.broker.cancel("conn_3")
            try await third.channel.writeAndFlush(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()))))
            try await eventually("the abandoned stream was reset") { thirdRunner.closed.withLockedValue { $0 } }
            try await eventually("its client end was told") { three.seen.withLockedValue { $0.aborted } == .reset }

            // A waiting client that left: the next stream skips it and stays idle.
            _ = try await rig.standby()
            _ = try await rig.standby()
            try await eventually("two idle") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == 2 }
            _ = try await rig.connect("conn_5")
            _ = try await rig.connect("conn_6")
            _ = try await rig.connect("conn_7")
            #expect(rig.broker.standby.idleCount(runnerID: Self.runnerID) == 0)
            _ = rig.broker.cancel("conn_7")
            let (next, _) = try await rig.standby()
            try await eventually("the stream skipped the gone waiter") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == 1 }
            #expect(next.channel.isActive)
        }
    }

    @Test func noStreamWithinTheWaitLimitFallsBackToTheCommand() async throws {
        try await withRig(standbyWait: .milliseconds(300)) { rig in
            _ = try await rig.standby()
            try await eventually("held") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == 1 }
            _ = try await rig.connect("conn_3")  // takes the only stream
            let fellBack = NIOLockedValueBox<[String]>([])
            // No stream comes within the wait limit: the command instead, and the waiter is gone.
            let started = ContinuousClock.now
            _ = try await rig.connect("conn_4") { fellBack.withLockedValue { $0.append("conn_4") } }
            try await eventually("conn_4 fell back") { fellBack.withLockedValue { $0 }.contains("conn_4") }
            #expect(started.duration(to: .now) >= .milliseconds(250))
            _ = try await rig.standby()
            try await eventually("the new stream stays idle") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == 1 }
        }
    }

    /// A client the runner never answers gets its 502 once the stream wait is over, in turn with
    /// the others (one timer for all); one that left before is not aborted. Only lower bounds on
    /// the times: a loaded machine makes everything later, never earlier.
    @Test func clientsNobodyAnswersGet502AfterTheStreamWait() async throws {
        try await withRig(streamWait: .seconds(1)) { rig in
            // No standby streams: every connection falls back to the command, which nobody sends.
            let started = ContinuousClock.now
            let first = try await rig.connect("conn_w1")
            // One that leaves at once (registered and cancelled with no wait in between).
            let left = RecordingEnd()
            let leftPeer = try await rig.loop.submit { TunnelSplicePeer(left, eventLoop: rig.loop) }.get()
            rig.broker.expect(
                connectionID: "conn_w2", tunnelID: "tun_standby", runnerID: Self.runnerID, localPort: 3000, protocol: "http",
                client: leftPeer)
            #expect(rig.broker.cancel("conn_w2") == "http", "the client left")
            try await Task.sleep(for: .milliseconds(300))
            let second = try await rig.connect("conn_w3")
            try await eventually("the first 502") { first.seen.withLockedValue { $0.aborted } != nil }
            let firstAt = started.duration(to: .now)
            #expect(firstAt >= .milliseconds(950), "\(firstAt)")
            guard case .tunnelEnded(502, "bad_gateway", let message)? = first.seen.withLockedValue({ $0.aborted }) else {
                Issue.record("not a 502: \(String(describing: first.seen.withLockedValue { $0.aborted }))")
                return
            }
            #expect(message.contains("did not open the connection to port 3000 within 1 s"), "\(message)")
            try await eventually("the second 502") { second.seen.withLockedValue { $0.aborted } != nil }
            #expect(started.duration(to: .now) >= .milliseconds(1250), "the second waited its own second")
            #expect(left.seen.withLockedValue { $0.aborted } == nil)
            #expect(rig.broker.waitingCount == 0)
        }
    }

    @Test func idleStreamsAreCappedPerRunner() async throws {
        try await withRig { rig in
            var streams: [FabricDataStream] = []
            for _ in 0..<TunnelStandbyPool.maxIdle { streams.append(try await rig.standby().0) }
            try await eventually("all held") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == TunnelStandbyPool.maxIdle }
            let (extra, extraRunner) = try await rig.standby()
            try await eventually("the extra stream is reset") { extraRunner.closed.withLockedValue { $0 } }
            await #expect(throws: (any Error).self) { _ = try await answer(extra) }
            #expect(rig.broker.standby.idleCount(runnerID: Self.runnerID) == TunnelStandbyPool.maxIdle)
            // An idle stream the runner closes leaves the pool.
            streams[0].channel.close(promise: nil)
            try await eventually("one fewer") { rig.broker.standby.idleCount(runnerID: Self.runnerID) == TunnelStandbyPool.maxIdle - 1 }
        }
    }
}

