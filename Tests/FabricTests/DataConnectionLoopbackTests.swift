import Fabric
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL
import TestSupport
import Testing

@Suite("DataConnection loopback", .serialized)
struct DataConnectionLoopbackTests {
    static let runnerID = "run_loopback"
    static let token = "rtok_good"

    /// Accepts exactly one runner/token pair and counts calls.
    final class CountingAuthenticator: Sendable {
        let calls = NIOLockedValueBox(0)

        var authenticate: FabricDataAuthenticator {
            { runnerID, token in
                self.calls.withLockedValue { $0 += 1 }
                return runnerID == DataConnectionLoopbackTests.runnerID && token == DataConnectionLoopbackTests.token
            }
        }
    }

    func clientConfiguration(port: Int, token: String = token, runnerID: String = runnerID) -> FabricDataClientConfiguration {
        FabricDataClientConfiguration(
            host: "127.0.0.1",
            port: port,
            runnerID: runnerID,
            token: token,
            connectTimeout: .seconds(2),
            healthInterval: .milliseconds(250),
            // Generous: under a full parallel run a probe took over 2 s, the client reconnected and a
            // request mid-test met `.notConnected`. A server going away is seen by the closed socket.
            healthTimeout: .seconds(10),
            backoff: FabricReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(400))
        )
    }

    @Test func healthAuthRoutesAndReconnect() async throws {
        let auth = CountingAuthenticator()
        let echo = EchoStreamHandler()
        let server = FabricDataServer(
            configuration: FabricDataServerConfiguration(host: "127.0.0.1", port: 0),
            authenticator: auth.authenticate,
            streamHandler: echo
        )
        let serverTask = Task { try await server.run() }
        // The client dials a relay whose port stays bound while the server behind it restarts on a
        // fresh port: rebinding the server's old port would race every other socket on the machine.
        let relay = try TCPRelay(target: try #require(try await server.listeningAddress().port))
        defer { relay.stop() }
        let port = relay.port
        var serverEvents = server.runnerEvents().makeAsyncIterator()

        let client = FabricDataClient(configuration: self.clientConfiguration(port: port))
        let clientStates = client.stateUpdates()
        let clientTask = Task { try await client.run() }
        defer { clientTask.cancel() }

        try await eventually("client connected") { client.state == .connected }
        #expect(server.isConnected(runnerID: Self.runnerID))
        #expect(await serverEvents.next() == .connected(runnerID: Self.runnerID))

        // Health probe on the live connection; positive auth is cached per connection.
        let connection = try #require(client.connection)
        try await connection.checkHealth(timeout: .seconds(5))
        try await connection.checkHealth(timeout: .seconds(5))
        #expect(auth.calls.withLockedValue { $0 } == 1)

        // Unknown path: 404 with END_STREAM.
        let unknown = try await client.openStream(method: "GET", path: "/v1/nope", endStream: true)
        let unknownHead = try await unknown.response.get()
        #expect(unknownHead.status == 404)
        #expect(unknownHead.endStream)

        // Unknown path with the request body still open: 404, END_STREAM, and the stream is closed for good.
        let open = try await client.openStream(method: "POST", path: "/v1/other")
        let openHead = try await open.response.get()
        #expect(openHead.status == 404 && openHead.endStream)
        try await open.channel.closeFuture.get()

        // Tunnel route with the test echo handler: 200, then bytes both ways, half-close honoured.
        let body = connection.channel.eventLoop.makePromise(of: ByteBuffer.self)
        let tunnel = try await client.openStream(
            path: FabricDataRoute.tunnelConnectionPath(tunnelID: "tun_1", connectionID: "conn_1"),
            headers: ["x-extra": "1"]
        ) { channel in
            try channel.pipeline.syncOperations.addHandler(DataCollector(promise: body))
        }
        try await tunnel.channel.writeAndFlush(
            HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "hello, tunnel")), endStream: true))
        )
        let tunnelHead = try await tunnel.response.get()
        #expect(tunnelHead.status == 200)
        #expect(tunnelHead.headers.first(name: "x-echo") == "1")
        #expect(String(buffer: try await body.futureResult.get()) == "hello, tunnel")
        let request = try #require(echo.accepted.withLockedValue { $0.first })
        #expect(request.runnerID == Self.runnerID)
        #expect(request.tunnelID == "tun_1" && request.connectionID == "conn_1")
        #expect(request.headers.first(name: "x-extra") == "1")
        #expect(request.headers[FabricDataSettings.runnerTokenHeader].isEmpty)

        // Wrong token: 401 and END_STREAM; the runner is not registered for that connection.
        let wrong = try await FabricDataConnection.connect(configuration: self.clientConfiguration(port: port, token: "rtok_bad"))
        await #expect(throws: FabricDataError.unexpectedStatus(401)) {
            try await wrong.checkHealth(timeout: .seconds(5))
        }
        let wrongStream = try await wrong.openStream(method: "GET", path: "/v1/nope", endStream: true)
        let wrongHead = try await wrongStream.response.get()
        #expect(wrongHead.status == 401 && wrongHead.endStream)
        await wrong.close()

        #expect(server.registry.connectedRunnerIDs == [Self.runnerID])

        // Stop the server: the client notices and retries.
        serverTask.cancel()
        try await serverTask.value
        #expect(await serverEvents.next() == .disconnected(runnerID: Self.runnerID))
        try await eventually("client noticed the server went away") { client.state != .connected }
        #expect(!server.isConnected(runnerID: Self.runnerID))
        await #expect(throws: FabricDataError.notConnected) {
            _ = try await client.openStream(path: "/v1/health")
        }

        // Restart behind the same relay address: the client reconnects by itself.
        let restarted = FabricDataServer(
            configuration: FabricDataServerConfiguration(host: "127.0.0.1", port: 0),
            authenticator: auth.authenticate,
            streamHandler: echo
        )
        let restartedTask = Task { try await restarted.run() }
        defer { restartedTask.cancel() }
        relay.retarget(try #require(try await restarted.listeningAddress().port))
        try await eventually("client reconnected") { client.state == .connected }
        #expect(restarted.isConnected(runnerID: Self.runnerID))
        #expect(client.connection !== connection)
        try await #require(client.connection).checkHealth(timeout: .seconds(5))

        clientTask.cancel()
        try await clientTask.value
        #expect(client.state == .stopped)
        try await eventually("server saw the client leave") { !restarted.isConnected(runnerID: Self.runnerID) }

        // The state stream told the whole story and ended with run().
        var seen: [FabricDataClientState] = []
        for await state in clientStates {
            seen.append(state)
        }
        #expect(seen.first == .idle)
        #expect(seen.contains(.connected))
        #expect(seen.contains { if case .waitingToReconnect = $0 { return true } else { return false } })
        #expect(seen.last == .stopped)

        restartedTask.cancel()
        try await restartedTask.value
    }

    /// An echo server and a client connected to it; `stop()` ends both.
    struct EchoPair {
        let client: FabricDataClient
        let connection: FabricDataConnection
        let tasks: [Task<Void, any Error>]
        func stop() { for task in tasks { task.cancel() } }
    }

    func connectedEchoPair() async throws -> EchoPair {
        let server = FabricDataServer(
            configuration: FabricDataServerConfiguration(host: "127.0.0.1", port: 0),
            authenticator: CountingAuthenticator().authenticate,
            streamHandler: EchoStreamHandler()
        )
        let serverTask = Task { try await server.run() }
        let client = FabricDataClient(configuration: self.clientConfiguration(port: try #require(try await server.listeningAddress().port)))
        let clientTask = Task { try await client.run() }
        do {
            try await eventually("client connected") { client.state == .connected }
            return EchoPair(client: client, connection: try #require(client.connection), tasks: [clientTask, serverTask])
        } catch {
            clientTask.cancel()
            serverTask.cancel()
            throw error
        }
    }

    /// Tunnel connections end with RST_STREAM all the time (a browser aborting a page load), and
    /// frames that cross a reset are stream errors. swift-nio-http2's defaults end the whole
    /// connection after 200 stream errors in its life or 200 resets in 30 s; the data connection must
    /// outlive any number of them.
    @Test func thousandsOfResetStreamsLeaveTheConnectionUp() async throws {
        let pair = try await self.connectedEchoPair()
        defer { pair.stop() }
        let (client, connection) = (pair.client, pair.connection)
        let payload = ByteBuffer(repeating: 7, count: 4096)
        for index in 0..<2500 {
            let stream = try await client.openStream(
                path: FabricDataRoute.tunnelConnectionPath(tunnelID: "tun_reset", connectionID: "conn_\(index)"))
            // Echoed bytes race the reset: some arrive on a stream that is already gone.
            stream.channel.write(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(payload))), promise: nil)
            stream.channel.flush()
            if index % 2 == 0 { _ = try? await stream.response.get() }
            try? await stream.channel.close()
        }
        try await connection.checkHealth(timeout: .seconds(5))
        #expect(client.connection === connection, "the connection was replaced: it died on the way")
        #expect(connection.isActive)
    }

    /// Records how the other end of a splice was aborted.
    final class AbortRecorder: TunnelSpliceEndpoint, Sendable {
        let reason = NIOLockedValueBox<TunnelAbort?>(nil)
        func spliceAttached(to peer: TunnelSplicePeer) {}
        func spliceReceived(_ bytes: ByteBuffer) {}
        func spliceFinished() {}
        func spliceAborted(_ reason: TunnelAbort) { self.reason.withLockedValue { $0 = reason } }
        func splicePeerWritabilityChanged(_ writable: Bool) {}
        func spliceQueueDrained() {}
    }

    /// A stream that ends by itself (reset, closed) resets its splice's other end; the whole data
    /// connection going down tells it the runner is gone (an HTTP client still waiting gets 503).
    @Test func aLostConnectionTellsEverySpliceTheRunnerIsGone() async throws {
        let pair = try await self.connectedEchoPair()
        defer { pair.stop() }
        let (client, connection) = (pair.client, pair.connection)

        func splice(_ name: String) async throws -> (AbortRecorder, any Channel) {
            let recorder = AbortRecorder()
            let stream = try await client.openStream(path: FabricDataRoute.tunnelConnectionPath(tunnelID: "tun_lost", connectionID: name)) {
                channel in
                try channel.pipeline.syncOperations.addHandler(TunnelStreamEnd(peer: TunnelSplicePeer(recorder, eventLoop: channel.eventLoop)))
            }
            // (The end takes the stream's frames, its response head too: nothing to wait for.)
            return (recorder, stream.channel)
        }
        let (own, ownStream) = try await splice("conn_own")
        try? await ownStream.close()  // (its promise fails with the CANCEL it sends)
        try await eventually("the closed stream's splice aborted") { own.reason.withLockedValue { $0 } != nil }
        #expect(own.reason.withLockedValue { $0 } == .reset)

        let (lost, _) = try await splice("conn_lost")
        try? await connection.channel.close()
        try await eventually("the lost connection's splice aborted") { lost.reason.withLockedValue { $0 } != nil }
        #expect(lost.reason.withLockedValue { $0 } == TunnelStreamEnd.connectionLost)
    }

    /// The server PINGs every data connection and closes one that does not answer in time (a runner
    /// gone without a FIN); one that answers stays up.
    @Test func keepalivePingsCloseConnectionsThatStopAnswering() async throws {
        let server = FabricDataServer(
            configuration: FabricDataServerConfiguration(
                host: "127.0.0.1", port: 0, unauthenticatedConnectionTimeout: .seconds(120),
                keepaliveInterval: .milliseconds(100), keepaliveTimeout: .milliseconds(300)),
            authenticator: CountingAuthenticator().authenticate,
            streamHandler: EchoStreamHandler()
        )
        let serverTask = Task { try await server.run() }
        defer { serverTask.cancel() }
        let port = try #require(try await server.listeningAddress().port)

        let client = FabricDataClient(configuration: self.clientConfiguration(port: port))
        let clientTask = Task { try await client.run() }
        defer { clientTask.cancel() }
        try await eventually("client connected") { client.state == .connected }
        let connection = try #require(client.connection)

        // A peer that sends HTTP/2's preface and SETTINGS, then reads nothing and answers nothing.
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        var preface = ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        preface.writeBytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  // an empty SETTINGS frame
        try await silent.writeAndFlush(preface).get()
        let started = ContinuousClock.now
        try await eventually(timeout: .seconds(10), "the silent connection closed") { !silent.isActive }
        // Long before the 120 s an unauthenticated connection gets.
        #expect(ContinuousClock.now - started < .seconds(10))
        // The client answered every PING meanwhile: same connection, still up.
        #expect(client.connection === connection && connection.isActive)
    }

    @Test func serverClosesConnectionsThatNeverAuthenticate() async throws {
        let server = FabricDataServer(
            configuration: FabricDataServerConfiguration(
                host: "127.0.0.1",
                port: 0,
                unauthenticatedConnectionTimeout: .milliseconds(200)
            ),
            authenticator: { _, _ in false }
        )
        let serverTask = Task { try await server.run() }
        defer { serverTask.cancel() }
        let port = try #require(try await server.listeningAddress().port)
        let connection = try await FabricDataConnection.connect(configuration: self.clientConfiguration(port: port))
        try await connection.closeFuture.get()
        #expect(!connection.isActive)
        serverTask.cancel()
        try await serverTask.value
    }

    @Test func tlsLoopback() async throws {
        let certificate = try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKeyPEM.utf8), format: .pem)
        var serverTLS = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        serverTLS.applicationProtocols = ["h2"]
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.trustRoots = .certificates([certificate])
        clientTLS.applicationProtocols = ["h2"]

        let auth = CountingAuthenticator()
        let server = FabricDataServer(
            configuration: FabricDataServerConfiguration(host: "127.0.0.1", port: 0, tls: try NIOSSLContext(configuration: serverTLS)),
            authenticator: auth.authenticate
        )
        let serverTask = Task { try await server.run() }
        defer { serverTask.cancel() }
        let port = try #require(try await server.listeningAddress().port)

        var configuration = self.clientConfiguration(port: port)
        configuration.tls = try NIOSSLContext(configuration: clientTLS)
        configuration.serverHostname = "localhost"
        let client = FabricDataClient(configuration: configuration)
        let clientTask = Task { try await client.run() }
        try await eventually("TLS client connected") { client.state == .connected }
        #expect(server.isConnected(runnerID: Self.runnerID))
        let stream = try await client.openStream(
            path: FabricDataRoute.tunnelConnectionPath(tunnelID: "t", connectionID: "c"),
            endStream: true
        )
        #expect(try await stream.response.get().status == 404)  // default handler
        clientTask.cancel()
        try await clientTask.value
        serverTask.cancel()
        try await serverTask.value
    }
}
