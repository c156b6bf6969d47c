import Fabric
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP2
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Two-way soak over ONE data connection: several streams each push bytes to the server's echo route while
/// reading the echo back, so both directions of the connection are saturated at once. This is the traffic
/// pattern that made swift-nio-http2 1.46.0 over-grant WINDOW_UPDATEs and kill the connection
/// (`InvalidFlowControlWindowSize`) with windows of 8 MiB or more; it must pass with the fabric's 4 MiB windows.
///
/// Volume: `MARIONETTE_DATA_SOAK_STREAMS` streams (default 4) of `MARIONETTE_DATA_SOAK_MIB` MiB per stream and
/// direction (default 256 MiB each way in total).
@Suite("DataConnection soak", .serialized)
struct DataConnectionSoakTests {
    static var streams: Int { environment("MARIONETTE_DATA_SOAK_STREAMS") ?? 4 }
    static var mebibytesPerStream: Int { environment("MARIONETTE_DATA_SOAK_MIB") ?? 256 / streams }

    static func environment(_ name: String) -> Int? {
        guard let value = getenv(name).flatMap({ Int(String(cString: $0)) }), value > 0 else { return nil }
        return value
    }

    /// The client streams push pattern bytes to the test echo route and verify the echo: each stream's two
    /// directions are coupled (the echo can only send what it received).
    @Test func twoWayEchoSoakOverOneConnection() async throws {
        try await self.soak(name: "echo", handler: EchoStreamHandler(), expectOffset: Self.clientOffset)
    }

    /// Both ends of every stream send their own bytes at full speed and verify what they receive: the two
    /// directions are independent, like a bidirectional iperf through a tunnel.
    @Test func twoWayDuplexSoakOverOneConnection() async throws {
        let handler = DuplexSoakStreamHandler(total: Self.mebibytesPerStream * 1024 * 1024, pattern: SoakPattern())
        try await self.soak(name: "duplex", handler: handler, expectOffset: DuplexSoakStreamHandler.serverOffset) {
            // The client is done when its bytes are queued; the server end when it has received them all.
            try? await eventually("server ends finished") { handler.results.withLockedValue { $0.count } == Self.streams }
        }
        let serverResults = handler.results.withLockedValue { $0 }
        #expect(serverResults.count == Self.streams)
        for result in serverResults.values {
            #expect(result.error == nil, "server end failed: \(result.error ?? "")")
            #expect(result.received == Self.mebibytesPerStream * 1024 * 1024)
            #expect(result.intact, "bytes received by the server differ from the bytes sent")
        }
    }

    static func clientOffset(_ index: Int) -> Int {
        index * (SoakPattern.period / streams) + 17 * index
    }

    /// Runs `streams` concurrent streams on one client connection against `handler`; `expectOffset` maps a stream
    /// index to the pattern offset of the bytes the server sends back.
    private func soak(
        name: String,
        handler: some FabricDataStreamHandler,
        expectOffset: @escaping @Sendable (Int) -> Int,
        serverFinished: @Sendable () async -> Void = {}
    ) async throws {
        let perStream = Self.mebibytesPerStream * 1024 * 1024
        let server = FabricDataServer(
            configuration: FabricDataServerConfiguration(host: "127.0.0.1", port: 0),
            authenticator: { runnerID, token in runnerID == "run_soak" && token == "rtok_soak" },
            streamHandler: handler
        )
        let serverTask = Task { try await server.run() }
        defer { serverTask.cancel() }
        let port = try #require(try await server.listeningAddress().port)
        let events = NIOLockedValueBox<[FabricDataRunnerEvent]>([])
        let eventsTask = Task {
            for await event in server.runnerEvents() {
                events.withLockedValue { $0.append(event) }
            }
        }
        defer { eventsTask.cancel() }

        // The client's reconnect loop runs with frequent health probes, which must keep succeeding under load.
        let client = FabricDataClient(
            configuration: FabricDataClientConfiguration(
                host: "127.0.0.1",
                port: port,
                runnerID: "run_soak",
                token: "rtok_soak",
                healthInterval: .milliseconds(500),
                healthTimeout: .seconds(10)
            )
        )
        let clientTask = Task { try await client.run() }
        defer { clientTask.cancel() }
        try await eventually("client connected") { client.state == .connected }
        let connection = try #require(client.connection)

        let pattern = SoakPattern()
        let clock = ContinuousClock()
        let started = clock.now
        let results = try await withThrowingTaskGroup(of: SoakResult.self) { group in
            for index in 0..<Self.streams {
                group.addTask {
                    let done = connection.channel.eventLoop.makePromise(of: SoakResult.self)
                    do {
                        let stream = try await connection.openStream(
                            path: FabricDataRoute.tunnelConnectionPath(tunnelID: "soak", connectionID: "c\(index)")
                        ) { channel in
                            try channel.pipeline.syncOperations.addHandler(
                                SoakStreamHandler(
                                    total: perStream,
                                    pattern: pattern,
                                    sendOffset: Self.clientOffset(index),
                                    expectOffset: expectOffset(index),
                                    done: done
                                )
                            )
                        }
                        #expect(try await stream.response.get().status == 200)
                    } catch {
                        done.fail(error)
                    }
                    do {
                        return try await done.futureResult.get()
                    } catch {
                        return SoakResult(sent: -1, received: -1, intact: false, error: "\(error)")
                    }
                }
            }
            var results: [SoakResult] = []
            for try await result in group {
                results.append(result)
            }
            return results
        }
        await serverFinished()
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        for result in results {
            #expect(result.error == nil, "stream failed: \(result.error ?? "")")
            #expect(result.sent == perStream)
            #expect(result.received == perStream)
            #expect(result.intact, "bytes received by the client differ from the bytes sent")
        }
        #expect(connection.isActive, "the data connection died during the soak")
        #expect(connection.firstError == nil, "connection error: \(String(describing: connection.firstError))")
        #expect(client.connection === connection, "the client reconnected during the soak")
        #expect(server.isConnected(runnerID: "run_soak"))
        #expect(!events.withLockedValue { $0 }.contains(.disconnected(runnerID: "run_soak")))

        let eachWay = Double(perStream * Self.streams)
        let mib = 1024.0 * 1024.0
        print(
            """
            [DataConnection soak, \(name)] \(Self.streams) streams on one connection, \
            \(Int(eachWay / mib)) MiB each way concurrently in \(String(format: "%.2f", seconds)) s: \
            \(String(format: "%.0f", eachWay / mib / seconds)) MiB/s each way, \
            \(String(format: "%.0f", 2 * eachWay / 1e6 / seconds)) MB/s both ways combined
            """
        )

        clientTask.cancel()
        try await clientTask.value
        serverTask.cancel()
        try await serverTask.value
    }
}

/// Test-only tunnel route for the duplex soak: the server end of each stream sends its own pattern bytes and
/// verifies the client's, recording the result per connection ID.
struct DuplexSoakStreamHandler: FabricDataStreamHandler {
    let total: Int
    let pattern: SoakPattern
    let results = NIOLockedValueBox<[String: SoakResult]>([:])

    static func serverOffset(_ index: Int) -> Int {
        (DataConnectionSoakTests.clientOffset(index) + SoakPattern.period / 2 + 4099) % SoakPattern.period
    }

    func handleTunnelStream(_ request: FabricDataStreamRequest) -> FabricDataStreamDecision {
        guard let index = Int(request.connectionID.dropFirst()) else { return .respond(status: 400) }
        let total = self.total
        let pattern = self.pattern
        let results = self.results
        let connectionID = request.connectionID
        return .accept { channel in
            let done = channel.eventLoop.makePromise(of: SoakResult.self)
            done.futureResult.whenComplete { result in
                let value: SoakResult
                switch result {
                case .success(let success): value = success
                case .failure(let error): value = SoakResult(sent: -1, received: -1, intact: false, error: "\(error)")
                }
                results.withLockedValue { $0[connectionID] = value }
            }
            try channel.pipeline.syncOperations.addHandler(
                SoakStreamHandler(
                    total: total,
                    pattern: pattern,
                    sendOffset: Self.serverOffset(index),
                    expectOffset: DataConnectionSoakTests.clientOffset(index),
                    done: done
                )
            )
        }
    }
}

struct SoakFailure: Error {
    var reason: String
}

struct SoakResult: Sendable {
    var sent: Int
    var received: Int
    var intact: Bool
    var error: String? = nil
}

/// Pseudo-random bytes; the byte at stream offset `o` is `bytes[(start + o) % period]`. The buffer holds two
/// periods so any run of up to `period` bytes is one contiguous slice (sent without copying, compared with memcmp).
struct SoakPattern: Sendable {
    /// Deliberately not a power of two, so frame and chunk boundaries drift across the pattern.
    static let period = 1_048_573
    let bytes: ByteBuffer

    init() {
        var generator = SplitMix64(seed: 0x5eed)
        var buffer = ByteBufferAllocator().buffer(capacity: 2 * Self.period + 8)
        var words = (Self.period + 7) / 8
        while words > 0 {
            buffer.writeInteger(generator.next())
            words -= 1
        }
        buffer.moveWriterIndex(to: Self.period)
        let once = buffer.getSlice(at: 0, length: Self.period)!
        buffer.writeImmutableBuffer(once)
        self.bytes = buffer
    }

    func slice(at offset: Int, length: Int) -> ByteBuffer {
        precondition(length <= Self.period)
        return self.bytes.getSlice(at: offset % Self.period, length: length)!
    }
}

/// One end of a soak stream (client or server): writes `total` pattern bytes from `sendOffset` (256 KiB DATA
/// writes, END_STREAM on the last) whenever the stream is writable, and independently verifies the inbound bytes
/// byte for byte against the pattern from `expectOffset` as they arrive. Completes at inbound END_STREAM.
final class SoakStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    static let chunk = 256 * 1024

    private let total: Int
    private let pattern: SoakPattern
    private let sendOffset: Int
    private let expectOffset: Int
    private var done: EventLoopPromise<SoakResult>?
    private var sent = 0
    private var received = 0
    private var intact = true
    private var inboundEnded = false

    init(total: Int, pattern: SoakPattern, sendOffset: Int, expectOffset: Int, done: EventLoopPromise<SoakResult>) {
        self.total = total
        self.pattern = pattern
        self.sendOffset = sendOffset
        self.expectOffset = expectOffset
        self.done = done
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Server side: added to an already active stream.
        if context.channel.isActive {
            self.pump(context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        self.pump(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.pump(context: context)
        context.fireChannelWritabilityChanged()
    }

    private func pump(context: ChannelHandlerContext) {
        while self.sent < self.total, context.channel.isWritable {
            let length = min(Self.chunk, self.total - self.sent)
            let slice = self.pattern.slice(at: self.sendOffset + self.sent, length: length)
            self.sent += length
            let frame = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(slice), endStream: self.sent == self.total))
            // Flush each write so writability reflects what is queued.
            context.writeAndFlush(self.wrapOutboundOut(frame), promise: nil)
        }
        self.finishIfDone()
    }

    private func finishIfDone() {
        if self.inboundEnded, self.sent == self.total {
            self.finish(.success(SoakResult(sent: self.sent, received: self.received, intact: self.intact)))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .data(let frame) = self.unwrapInboundIn(data) else { return }
        if case .byteBuffer(var bytes) = frame.data {
            while bytes.readableBytes > 0 {
                let length = min(bytes.readableBytes, SoakPattern.period)
                let got = bytes.readSlice(length: length)!
                if got != self.pattern.slice(at: self.expectOffset + self.received, length: length) {
                    self.intact = false
                }
                self.received += length
            }
        }
        if frame.endStream {
            self.inboundEnded = true
            self.finishIfDone()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Our final END_STREAM write can close the stream synchronously once the inbound side has ended.
        self.finishIfDone()
        self.finish(.failure(SoakFailure(reason: "stream closed early: sent \(self.sent)/\(self.total), received \(self.received), inbound ended: \(self.inboundEnded)")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(SoakFailure(reason: "\(error): sent \(self.sent)/\(self.total), received \(self.received), inbound ended: \(self.inboundEnded)")))
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finishIfDone()
        self.finish(.failure(FabricDataError.streamClosed))
    }

    private func finish(_ result: Result<SoakResult, any Error>) {
        if let done = self.done {
            self.done = nil
            done.completeWith(result)
        }
    }
}
