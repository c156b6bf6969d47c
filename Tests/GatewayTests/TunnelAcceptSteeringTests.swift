import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

#if canImport(Glibc)
import Glibc
#endif

/// Steering the public port's connections to the event loop tunnels use: the decisions alone, then
/// the kernel doing as told with a real `SO_REUSEPORT` group.
@Suite struct TunnelAcceptSteeringTests {
    final class Loop {}

    @Test func pinsWhileTunnelsAreUsedAndSpreadsAfter() {
        let (a, b) = (Loop(), Loop())
        let (idA, idB) = (ObjectIdentifier(a), ObjectIdentifier(b))
        var state = AcceptSteeringState(window: .seconds(5))
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(state.used(idA, now: start) == nil, "no listeners yet")
        state.install(loops: [idA])
        #expect(state.used(idA, now: start) == nil, "one listener: nothing to steer")
        state.install(loops: [idA, idB])
        #expect(state.used(idB, now: start) == .pin(1))
        #expect(state.used(idB, now: start + .milliseconds(10)) == nil, "already there")
        #expect(state.used(ObjectIdentifier(Loop()), now: start + .seconds(3)) == nil, "a loop without a listener")
        #expect(state.expire(now: start + .seconds(4)) == nil, "used 4 s ago: within the window")
        #expect(state.expire(now: start + .seconds(6)) == .spread, "a loop without a listener was no use")
        #expect(state.pinned == nil)
        #expect(state.expire(now: start + .seconds(20)) == nil)
        #expect(state.used(idA, now: start + .seconds(21)) == .pin(0), "spread: the next use pins at once")
    }

    /// Runners on different loops used together: spread at once (pinning each in turn would put a
    /// busy server's every new connection on one core), and pinned again only after a window of
    /// one loop alone.
    @Test func tunnelsOnSeveralLoopsSpread() {
        let (a, b) = (Loop(), Loop())
        let (idA, idB) = (ObjectIdentifier(a), ObjectIdentifier(b))
        var state = AcceptSteeringState(window: .seconds(5))
        state.install(loops: [idA, idB])
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(state.used(idA, now: start) == .pin(0))
        #expect(state.used(idB, now: start + .milliseconds(100)) == .spread, "two loops within the window")
        #expect(state.used(idA, now: start + .milliseconds(200)) == nil, "mixed again (B, then A): spread")
        #expect(state.used(idA, now: start + .seconds(3)) == nil)
        #expect(state.used(idA, now: start + .milliseconds(5199)) == nil, "the last mix was 5 s ago, less a millisecond")
        #expect(state.used(idA, now: start + .milliseconds(5200)) == .pin(0), "a window of A alone")
        // A loop used again only after a quiet window is no mix: it takes the pin.
        #expect(state.expire(now: start + .seconds(11)) == .spread)
        #expect(state.used(idB, now: start + .seconds(12)) == .pin(1))
    }

    /// Two listeners on one port, each on its own loop: pinned, every new connection goes to the
    /// pinned one; spread, both take some.
    @Test func theKernelFollowsTheProgram() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        let accepted = NIOLockedValueBox([0, 0])
        var listeners: [any Channel] = []
        var port = 0
        for (index, loop) in loops.enumerated() {
            let listener = try await ServerBootstrap(group: loop)
                .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                .childChannelInitializer { channel in
                    accepted.withLockedValue { $0[index] += 1 }
                    return channel.close()
                }
                .bind(host: "127.0.0.1", port: port).get()
            port = try #require(listener.localAddress?.port)
            listeners.append(listener)
        }
        let steering = TunnelAcceptSteering(logger: Logger(label: "steering-test"))
        steering.install(listeners: listeners)

        func connect(_ count: Int) async throws -> [Int] {
            accepted.withLockedValue { $0 = [0, 0] }
            for _ in 0..<count {
                let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                try? await client.closeFuture.get()
            }
            return accepted.withLockedValue { $0 }
        }

        let pinned = try #require(steering.used(loops[1]), "a program is set")
        try await pinned.get()
        #expect(try await connect(20) == [0, 20], "every connection on the pinned loop's listener")
        let spread = try #require(steering.expire(now: .now() + .seconds(61)))
        try await spread.get()
        let counts = try await connect(40)
        #expect(counts[0] > 0 && counts[1] > 0 && counts.reduce(0, +) == 40, "spread by the kernel: \(counts)")

        for listener in listeners { try await listener.close() }
        try await group.shutdownGracefully()
    }
}
