import NIOCore
import NIOPosix
import Testing

@testable import Gateway

#if canImport(Glibc)
import Glibc
#endif

/// The TCP tunnel port a create picked is held by a bound socket until its listener takes it: no
/// other server's pick (nor any other bind) can share it meanwhile.
@Suite struct TunnelPortReservationsTests {
    static func freePort() async throws -> Int {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(probe.localAddress?.port)
        try await probe.close()  // before the port is reserved (a close still in flight holds it)
        return port
    }

    @Test func aReservedPortIsHeldAloneUntilTakenOrExpired() async throws {
        let ours = TunnelPortReservations(host: "127.0.0.1")
        let theirs = TunnelPortReservations(host: "127.0.0.1")
        // A port just seen free (a parallel test may take one in between: then another).
        var port = 0
        for _ in 0..<5 where port == 0 {
            let candidate = try await Self.freePort()
            if ours.reserve(candidate) { port = candidate }
        }
        try #require(port != 0, "no free port could be reserved")
        #expect(!ours.reserve(port), "already reserved here")
        #expect(!theirs.reserve(port), "another server's pick must not share the port")
        #expect(throws: IOError.self) { try TCPPortProbe.requireFree(host: "127.0.0.1", port: port) }

        // Taken over: the listener listens on the very socket.
        let fd = try #require(ours.take(port))
        #expect(ours.take(port) == nil)
        #expect(listen(fd, 8) == 0)
        #expect(!theirs.reserve(port))
        close(fd)

        // A reservation nobody took is closed by the sweep, and the port is free again.
        #expect(ours.reserve(port))
        ours.expire(olderThan: .seconds(60))
        #expect(!theirs.reserve(port), "a young reservation stays")
        ours.expire(olderThan: .zero)
        #expect(theirs.reserve(port))
        theirs.releaseAll()
        #expect(ours.reserve(port))
        ours.releaseAll()
    }
}
