import Fabric
import Testing

@testable import Orchestrator

/// The runner's outbound command queue.
@Suite struct ControlLinkTests {
    /// Every proxied tunnel connection queues an `OpenTunnelConnection` from an event loop, faster
    /// than the stream's sender drains them: a tunnel's whole connection limit (1,000) opened at once
    /// must fit, or clients get 503s from a runner that is connected.
    @Test func aBurstOfATunnelsConnectionsFitsAndAClosedLinkTakesNothing() async {
        let link = ControlLink()
        var open = Marionette_Runner_V1_ServerCommand()
        open.openTunnelConnection = Marionette_Runner_V1_OpenTunnelConnection()
        for index in 0..<1_000 {
            open.openTunnelConnection.connectionID = "conn_\(index)"
            #expect(link.send(open), "command \(index) was refused")
        }
        var received = 0
        for await command in link.commands {
            #expect(command.openTunnelConnection.connectionID == "conn_\(received)", "in order")
            received += 1
            if received == 1_000 { break }
        }
        #expect(received == 1_000)
        link.close()
        #expect(!link.send(open))
    }
}
