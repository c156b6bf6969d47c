import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import Fabric

@Suite("DataConnection helpers")
struct DataConnectionHelperTests {
    // MARK: routes

    @Test func routesHealth() {
        #expect(FabricDataRoute(method: "GET", path: "/v1/health") == .health)
        #expect(FabricDataRoute(method: "HEAD", path: "/v1/health") == .health)
        #expect(FabricDataRoute(method: "GET", path: "/v1/health?x=1") == .health)
        #expect(FabricDataRoute(method: "POST", path: "/v1/health") == .methodNotAllowed)
        #expect(FabricDataRoute(method: "GET", path: "/v1/health/") == .notFound)
        #expect(FabricDataRoute(method: "GET", path: "v1/health") == .notFound)
    }

    @Test func routesStandbyStreams() {
        #expect(FabricDataRoute(method: "POST", path: FabricDataSettings.standbyPath) == .tunnelStandby)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels/standby?x=1") == .tunnelStandby)
        #expect(FabricDataRoute(method: "GET", path: "/v1/tunnels/standby") == .methodNotAllowed)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels/standby/") == .notFound)
    }

    /// The assignment a server answers a standby stream with: what it writes reads back; anything
    /// short of a 200 naming valid IDs and a port is no assignment.
    @Test func standbyAssignmentsRoundTripAndRefuseBadHeads() {
        let assignment = FabricDataStandbyAssignment(tunnelID: "tun_1", connectionID: "conn_2", localPort: 3000)
        #expect(FabricDataStandbyAssignment(responseHeaders: assignment.responseHeaders) == assignment)
        func head(_ edit: (inout HPACKHeaders) -> Void) -> HPACKHeaders {
            var headers = assignment.responseHeaders
            edit(&headers)
            return headers
        }
        let bad: [HPACKHeaders] = [
            head { $0.replaceOrAdd(name: ":status", value: "404") },
            head { $0.remove(name: FabricDataStandbyAssignment.connectionIDHeader) },
            head { $0.replaceOrAdd(name: FabricDataStandbyAssignment.tunnelIDHeader, value: "../x") },
            head { $0.replaceOrAdd(name: FabricDataStandbyAssignment.localPortHeader, value: "0") },
            head { $0.replaceOrAdd(name: FabricDataStandbyAssignment.localPortHeader, value: "65536") },
            head { $0.replaceOrAdd(name: FabricDataStandbyAssignment.localPortHeader, value: "http") },
        ]
        for headers in bad { #expect(FabricDataStandbyAssignment(responseHeaders: headers) == nil, "\(headers)") }
        let trailers = FabricDataStandbyAssignment.dialErrorTrailers(String(repeating: "x", count: 400))
        #expect(trailers.first(name: "x-dial-error")?.count == 256)
    }

    @Test func routesTunnelConnections() {
        #expect(
            FabricDataRoute(method: "POST", path: "/v1/tunnels/tun_1/connections/c-2.x")
                == .tunnelConnection(tunnelID: "tun_1", connectionID: "c-2.x")
        )
        #expect(
            FabricDataRoute(method: "POST", path: FabricDataRoute.tunnelConnectionPath(tunnelID: "a", connectionID: "b"))
                == .tunnelConnection(tunnelID: "a", connectionID: "b")
        )
        #expect(FabricDataRoute(method: "GET", path: "/v1/tunnels/t/connections/c") == .methodNotAllowed)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels//connections/c") == .notFound)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels/t/connections/") == .notFound)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels/t/connections/c/extra") == .notFound)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels/../connections/c") == .notFound)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels/t%2F/connections/c") == .notFound)
        #expect(FabricDataRoute(method: "POST", path: "/v2/tunnels/t/connections/c") == .notFound)
        #expect(FabricDataRoute(method: "POST", path: "/") == .notFound)
        #expect(FabricDataRoute(method: "POST", path: "") == .notFound)
        let long = String(repeating: "a", count: 129)
        #expect(FabricDataRoute(method: "POST", path: "/v1/tunnels/\(long)/connections/c") == .notFound)
    }

    // MARK: request head

    @Test func requestHeadParsing() throws {
        let good: HPACKHeaders = [
            ":method": "POST", ":path": "/v1/health", ":scheme": "http", ":authority": "x",
            "x-runner-id": "run_1", "x-runner-token": "rtok_1",
        ]
        let head = try FabricDataRequestHead.parse(good).get()
        #expect(head == FabricDataRequestHead(method: "POST", path: "/v1/health", runnerID: "run_1", token: "rtok_1"))

        var noToken = good
        noToken.remove(name: "x-runner-token")
        #expect(FabricDataRequestHead.parse(noToken) == .failure(.missingCredentials))
        #expect(FabricDataRequestHead.Failure.missingCredentials.status == 401)

        var emptyID = good
        emptyID.replaceOrAdd(name: "x-runner-id", value: "")
        #expect(FabricDataRequestHead.parse(emptyID) == .failure(.missingCredentials))

        var twoTokens = good
        twoTokens.add(name: "x-runner-token", value: "rtok_2")
        #expect(FabricDataRequestHead.parse(twoTokens) == .failure(.missingCredentials))

        var hugeToken = good
        hugeToken.replaceOrAdd(name: "x-runner-token", value: String(repeating: "t", count: 513))
        #expect(FabricDataRequestHead.parse(hugeToken) == .failure(.missingCredentials))

        var noPath = good
        noPath.remove(name: ":path")
        #expect(FabricDataRequestHead.parse(noPath) == .failure(.malformed))
        #expect(FabricDataRequestHead.Failure.malformed.status == 400)
    }

    // MARK: auth cache

    @Test func authCacheExpiresAndIsKeyedByToken() {
        var cache = FabricDataAuthCache(timeToLive: .seconds(30), capacity: 2)
        let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(!cache.isValid(runnerID: "run_1", token: "a", now: t0))
        cache.recordSuccess(runnerID: "run_1", token: "a", now: t0)
        #expect(cache.isValid(runnerID: "run_1", token: "a", now: t0 + .seconds(29)))
        #expect(!cache.isValid(runnerID: "run_1", token: "b", now: t0))
        #expect(!cache.isValid(runnerID: "run_2", token: "a", now: t0))
        #expect(!cache.isValid(runnerID: "run_1", token: "a", now: t0 + .seconds(30)))

        // Bounded: a full cache drops expired entries first...
        cache.recordSuccess(runnerID: "run_1", token: "b", now: t0 + .seconds(1))
        #expect(cache.count == 2)
        cache.recordSuccess(runnerID: "run_1", token: "c", now: t0 + .seconds(40))
        #expect(cache.count == 1)
        #expect(cache.isValid(runnerID: "run_1", token: "c", now: t0 + .seconds(41)))
        // ... and everything when none has expired.
        cache.recordSuccess(runnerID: "run_1", token: "d", now: t0 + .seconds(41))
        cache.recordSuccess(runnerID: "run_1", token: "e", now: t0 + .seconds(42))
        #expect(cache.count == 1)
        #expect(cache.isValid(runnerID: "run_1", token: "e", now: t0 + .seconds(43)))
        #expect(!cache.isValid(runnerID: "run_1", token: "c", now: t0 + .seconds(43)))
    }

    // MARK: backoff

    @Test func backoffDoublesCapsAndResets() {
        var backoff = FabricReconnectBackoff(jitter: 0)
        let delays = (0..<9).map { _ in backoff.nextDelay() }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.attempts == 9)
        backoff.reset()
        #expect(backoff.nextDelay() == .seconds(1))
        #expect(FabricReconnectBackoff().baseDelay(attempt: 10_000) == .seconds(60))
    }

    @Test func backoffJitterStaysWithinTwentyPercentAndCap() {
        var generator = SplitMix64(seed: 42)
        var backoff = FabricReconnectBackoff()
        var sawBelow = false
        var sawAbove = false
        for attempt in 0..<200 {
            let base = FabricReconnectBackoff.seconds(backoff.baseDelay(attempt: attempt))
            let delay = FabricReconnectBackoff.seconds(backoff.nextDelay(using: &generator))
            #expect(delay >= base * 0.8 - 1e-9)
            #expect(delay <= min(base * 1.2, 60) + 1e-9)
            if attempt < 5 {
                sawBelow = sawBelow || delay < base
                sawAbove = sawAbove || delay > base
            }
        }
        #expect(sawBelow && sawAbove)
    }

    // MARK: settings

    @Test func settingsAreExplicit() {
        let connection = FabricDataSettings.connectionConfiguration
        #expect(connection.targetWindowSize == 4 * 1024 * 1024)
        #expect(FabricDataSettings.streamConfiguration.targetWindowSize == 4 * 1024 * 1024)
        let settings = Dictionary(uniqueKeysWithValues: connection.initialSettings.map { ($0.parameter, $0.value) })
        #expect(settings[.initialWindowSize] == 4 * 1024 * 1024)
        #expect(settings[.maxFrameSize] == 1024 * 1024)
        #expect(settings[.maxConcurrentStreams] == 8192)
        #expect(settings[.enablePush] == 0)
    }

    // MARK: server stream router on an EmbeddedChannel

    /// A router whose connection already cached `run_1` / `rtok_good` (the authenticator is never consulted).
    private func makeRouterChannel(cached: Bool = true) throws -> (EmbeddedChannel, FabricDataRunnerRegistry) {
        let registry = FabricDataRunnerRegistry()
        let shared = FabricDataServerShared(
            authenticator: { _, _ in
                Issue.record("authenticator should not be called")
                return false
            },
            streamHandler: FabricDataNotFoundStreamHandler(),
            registry: registry,
            authCacheTTL: .seconds(30),
            logger: Logger(label: "test")
        )
        let parent = EmbeddedChannel()
        let connection = FabricDataServerConnectionState(channel: parent, shared: shared)
        if cached {
            connection.authCache.recordSuccess(runnerID: "run_1", token: "rtok_good", now: .now())
        }
        let channel = EmbeddedChannel(handler: FabricDataServerStreamRouter(connection: connection))
        return (channel, registry)
    }

    private func request(
        _ method: String,
        _ path: String,
        runnerID: String? = "run_1",
        token: String? = "rtok_good",
        endStream: Bool = true
    ) -> HTTP2Frame.FramePayload {
        var headers: HPACKHeaders = [":method": method, ":path": path, ":scheme": "http", ":authority": "x"]
        if let runnerID { headers.add(name: "x-runner-id", value: runnerID) }
        if let token { headers.add(name: "x-runner-token", value: token) }
        return .headers(.init(headers: headers, endStream: endStream))
    }

    private func readHeaders(_ channel: EmbeddedChannel) throws -> HTTP2Frame.FramePayload.Headers? {
        guard case .headers(let headers) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
            return nil
        }
        return headers
    }

    @Test func routerAnswersHealthFromCache() throws {
        let (channel, registry) = try self.makeRouterChannel()
        try channel.writeInbound(self.request("GET", "/v1/health"))
        let head = try #require(try self.readHeaders(channel))
        #expect(head.headers.first(name: ":status") == "200")
        #expect(!head.endStream)
        guard case .data(let body) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self),
            case .byteBuffer(let bytes) = body.data
        else {
            Issue.record("expected a DATA frame")
            return
        }
        #expect(String(buffer: bytes) == "ok")
        #expect(body.endStream)
        // The request had ended, so no RST_STREAM follows.
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
        #expect(registry.isConnected(runnerID: "run_1"))
        _ = try? channel.finish()
    }

    @Test func routerRefusesMissingCredentialsWith401() throws {
        let (channel, registry) = try self.makeRouterChannel()
        try channel.writeInbound(self.request("GET", "/v1/health", token: nil))
        let head = try #require(try self.readHeaders(channel))
        #expect(head.headers.first(name: ":status") == "401")
        #expect(head.endStream)
        #expect(!registry.isConnected(runnerID: "run_1"))
        _ = try? channel.finish()
    }

    @Test func routerAnswersUnknownPathWith404ThenResetsOpenRequest() throws {
        let (channel, _) = try self.makeRouterChannel()
        try channel.writeInbound(self.request("POST", "/v1/unknown", endStream: false))
        let head = try #require(try self.readHeaders(channel))
        #expect(head.headers.first(name: ":status") == "404")
        #expect(head.endStream)
        // The request body is still open: ask the peer to stop sending (RST_STREAM NO_ERROR).
        guard case .rstStream(let code) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
            Issue.record("expected RST_STREAM")
            return
        }
        #expect(code == .noError)
        _ = try? channel.finish()
    }

    @Test func routerRefusesOtherRunnerWith403() throws {
        let registry = FabricDataRunnerRegistry()
        let shared = FabricDataServerShared(
            authenticator: { _, _ in false },
            streamHandler: FabricDataNotFoundStreamHandler(),
            registry: registry,
            authCacheTTL: .seconds(30),
            logger: Logger(label: "test")
        )
        let parent = EmbeddedChannel()
        let connection = FabricDataServerConnectionState(channel: parent, shared: shared)
        #expect(connection.bind(runnerID: "run_1"))
        let channel = EmbeddedChannel(handler: FabricDataServerStreamRouter(connection: connection))
        try channel.writeInbound(self.request("GET", "/v1/health", runnerID: "run_2", token: "rtok"))
        let head = try #require(try self.readHeaders(channel))
        #expect(head.headers.first(name: ":status") == "403")
        #expect(!registry.isConnected(runnerID: "run_2"))
        #expect(registry.isConnected(runnerID: "run_1"))
        _ = try? channel.finish()
        _ = try? parent.finish()
        #expect(!registry.isConnected(runnerID: "run_1"))
    }

    @Test func routerResetsStreamsThatDoNotStartWithHeaders() throws {
        let (channel, _) = try self.makeRouterChannel()
        try channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "x")))))
        guard case .rstStream(let code) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
            Issue.record("expected RST_STREAM")
            return
        }
        #expect(code == .protocolError)
        _ = try? channel.finish()
    }

    // MARK: client stream head on an EmbeddedChannel

    @Test func clientStreamHeadWritesRequestAndConsumesResponseHead() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: FabricDataResponseHead.self)
        let request: HPACKHeaders = [":method": "POST", ":path": "/p"]
        try channel.pipeline.syncOperations.addHandler(
            FabricDataClientStreamHead(request: request, endStream: false, response: promise)
        )
        let body = channel.eventLoop.makePromise(of: ByteBuffer.self)
        try channel.pipeline.syncOperations.addHandler(FabricDataBodyCollector(limit: 100, promise: body))
        channel.pipeline.fireChannelActive()

        guard case .headers(let sent) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
            Issue.record("request headers not written")
            return
        }
        #expect(sent.headers == request)
        #expect(!sent.endStream)

        try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: [":status": "100"])))
        try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: [":status": "200", "x-a": "b"])))
        let head = try promise.futureResult.wait()
        #expect(head.status == 200)
        #expect(head.headers.first(name: "x-a") == "b")
        try channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "hel")))))
        try channel.writeInbound(
            HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "lo")), endStream: true))
        )
        #expect(String(buffer: try body.futureResult.wait()) == "hello")
        _ = try? channel.finish()
    }

    @Test func clientStreamHeadTurnsHeadersOnlyResponseIntoEndOfData() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: FabricDataResponseHead.self)
        try channel.pipeline.syncOperations.addHandler(
            FabricDataClientStreamHead(request: [":method": "GET"], endStream: true, response: promise)
        )
        let body = channel.eventLoop.makePromise(of: ByteBuffer.self)
        try channel.pipeline.syncOperations.addHandler(FabricDataBodyCollector(limit: 100, promise: body))
        channel.pipeline.fireChannelActive()
        _ = try channel.readOutbound(as: HTTP2Frame.FramePayload.self)
        try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: [":status": "404"], endStream: true)))
        let head = try promise.futureResult.wait()
        #expect(head.status == 404 && head.endStream)
        #expect(try body.futureResult.wait().readableBytes == 0)
        _ = try? channel.finish()
    }

    @Test func clientStreamHeadFailsWhenStreamClosesFirst() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: FabricDataResponseHead.self)
        try channel.pipeline.syncOperations.addHandler(
            FabricDataClientStreamHead(request: [":method": "GET"], endStream: true, response: promise)
        )
        channel.pipeline.fireChannelActive()
        _ = try? channel.finish()
        #expect(throws: FabricDataError.streamClosed) { try promise.futureResult.wait() }
    }
}

/// Deterministic generator for the jitter test.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
