import Fabric
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

/// Where a TCP tunnel's listener runs: on the event loop of its runner's data connection when that
/// connection is up, so each accepted connection's bytes reach the runner's stream with no thread
/// hop; else on the shared loops.
@Suite struct TunnelTCPListenersTests {
    @Test func aListenerRunsOnItsRunnersDataConnectionLoop() async throws {
        let harness = try await GatewayHarness.make()
        // A loop of its own: the listener can only be on it because it was chosen.
        let dataGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dataLoop = dataGroup.next()
        let runtime = harness.services.tunnelRuntime
        runtime.configure(
            TunnelRuntime.Fabric(
                send: { _, _ in false }, isConnected: { $0 == "run_up" },
                dataLoop: { $0 == "run_up" ? dataLoop : nil }))

        for (tunnelID, runnerID) in [("tun_up", "run_up"), ("tun_down", "run_down"), ("tun_none", nil)] {
            await runtime.listeners.bind(
                tunnelID: tunnelID, runnerID: runnerID, isPublic: true, allowCIDRs: [], host: "127.0.0.1", port: 0,
                runtime: runtime)
            let port = try #require(runtime.tcpListenerPort(tunnelID: tunnelID), "\(tunnelID) is bound")
            // It accepts connections.
            let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            try await client.close()
        }
        #expect(runtime.listeners.eventLoop(of: "tun_up") === dataLoop)
        #expect(runtime.listeners.eventLoop(of: "tun_down") !== dataLoop, "runner not connected: shared loops")
        #expect(runtime.listeners.eventLoop(of: "tun_none") !== dataLoop, "no runner recorded: shared loops")

        await runtime.listeners.unbindAll()
        try await dataGroup.shutdownGracefully()
        await harness.close()
    }
}
