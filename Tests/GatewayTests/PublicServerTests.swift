import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Gateway

/// Runs the public listener as main does (`GatewayBuilder.publicServer` in a service group) on a
/// port of its own for the body, then shuts it down gracefully; returns how long that took.
enum PublicServerRun {
    @discardableResult
    static func with(_ harness: GatewayHarness, _ body: (Int) async throws -> Void) async throws -> Duration {
        let (ports, listening) = AsyncStream<Int>.makeStream()
        let (router, _) = GatewayBuilder.publicRouter(harness.services)
        let server = GatewayBuilder.publicServer(
            harness.services, router: router, tls: nil, host: "127.0.0.1", port: 0,
            onListening: { listening.yield($0.port ?? 0) })
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: server)], logger: Logger(label: "public-server-test")))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            let start = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return start.duration(to: .now)
        }
    }
}

@Suite struct PublicServerTests {
    @Test func dateHeaderIsTheIMFFixdate() {
        #expect(HTTPDateHeader.format(epochSecond: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateHeader.format(epochSecond: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        let now = HTTPDateHeader().now
        #expect(now.hasSuffix(" GMT") && now.count == 29, "\(now)")
    }

    /// The port check before the listener group: a port another socket listens on (one that would
    /// let a group share it, too) is refused; a free one passes, and the check itself never listens.
    @Test func aHeldPortIsRefusedBeforeTheGroupBinds() async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        #expect(throws: IOError.self) { try TCPPortProbe.requireFree(host: "127.0.0.1", port: port) }
        try await holder.close()

        // A free port passes. Not the holder's: it is in the kernel's ephemeral range, where another
        // suite's outgoing connection can take it between the close and the check (as one did in
        // CI). Ports below that range are only ever bound on purpose; a few tries skip one in use.
        var passed: Int?
        for candidate in (0..<20).map({ _ in Int.random(in: 10_000..<20_000) }) {
            do {
                try TCPPortProbe.requireFree(host: "127.0.0.1", port: candidate)
                passed = candidate
                break
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                continue
            }
        }
        let free = try #require(passed, "no port passed the check")
        await #expect(throws: (any Error).self, "nothing listens after the check") {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: free).get().close()
        }
    }

    /// Two servers that pass the free-port check in the same instant both join one `SO_REUSEPORT`
    /// group; each counts the group's listeners after binding and one that finds more than its own
    /// fails as a taken port does (EADDRINUSE, which the e2e harness repicks on).
    @Test func aGroupSharedWithAnotherProcessIsRefused() async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
        let ours = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        let address = try #require(ours.localAddress)
        try await PublicServer.requireSoleGroup(address: address, members: 1)
        // "Another process" joins the group.
        let theirs = try await bootstrap.bind(host: "127.0.0.1", port: try #require(address.port)).get()
        await #expect {
            try await PublicServer.requireSoleGroup(address: address, members: 1)
        } throws: { error in
            guard let error = error as? IOError else { return false }
            return error.errnoCode == EADDRINUSE && "\(error)".contains("Address already in use")
                && "\(error)".contains("another process listens on it too") && "\(error)".contains("socket inodes")
        }
        try await PublicServer.requireSoleGroup(address: address, members: 2)
        try await theirs.close()
        try await ours.close()
    }

    /// API answers carry `Date` and `Server` as Hummingbird's application gave them.
    @Test func apiAnswersCarryDateAndServer() async throws {
        let harness = try await GatewayHarness.make()
        try await PublicServerRun.with(harness) { port in
            let text = try await TunnelIngressHandoverTests.exchange(
                port: port, ["GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"])
            let lines = text.components(separatedBy: "\r\n")
            #expect(lines.first == "HTTP/1.1 200 OK", "\(text)")
            #expect(lines.contains("Server: Marionette") || lines.contains("server: Marionette"), "\(text)")
            #expect(lines.contains { $0.lowercased().hasPrefix("date: ") && $0.hasSuffix(" GMT") }, "\(text)")
        }
        await harness.close()
    }

    /// Shutdown closes the listener, lets a keep-alive API connection and one that never sent a
    /// request close, and returns at once (not after the service group's grace period).
    @Test func shutdownClosesIdleConnectionsAndReturnsPromptly() async throws {
        let harness = try await GatewayHarness.make()
        let closed = NIOLockedValueBox<[String]>([])
        var listenerPort = 0
        let took = try await PublicServerRun.with(harness) { port in
            listenerPort = port
            let keptAlive = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            try await keptAlive.writeAndFlush(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            // The answer came (the connection is now idle, kept alive).
            try await Task.sleep(for: .milliseconds(300))
            keptAlive.closeFuture.whenComplete { _ in closed.withLockedValue { $0.append("kept-alive") } }
            silent.closeFuture.whenComplete { _ in closed.withLockedValue { $0.append("silent") } }
        }
        #expect(took < .seconds(5), "shutdown took \(took)")
        // The clients see their connections end (their loops may be slow to run on a loaded machine).
        let deadline = ContinuousClock.now + .seconds(10)
        while closed.withLockedValue({ $0.count }) < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(Set(closed.withLockedValue { $0 }) == ["kept-alive", "silent"])
        // Nothing listens any more.
        let address = "127.0.0.1:\(listenerPort)"
        await #expect(throws: (any Error).self, "a connection to \(address) after the shutdown was accepted") {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: listenerPort).get().close()
        }
        await harness.close()
    }
}
