import Client
import Testing

/// The WebSocket URL `mctl tunnels connect` dials, from the server's base URL.
@Suite struct TunnelForwarderTests {
    func forwarder(_ base: String) throws -> TunnelForwarder {
        try TunnelForwarder(baseURL: base, tunnelID: "tun_AAAAAAAA00000000", credential: "ttok_x", report: { _ in })
    }

    @Test func urlFollowsTheServerScheme() throws {
        #expect(try forwarder("http://127.0.0.1:8080").url == "ws://127.0.0.1:8080/api/v1/tunnels/tun_AAAAAAAA00000000/connect")
        #expect(try forwarder("http://host:8080/").url == "ws://host:8080/api/v1/tunnels/tun_AAAAAAAA00000000/connect")
        let tls = try forwarder("https://marionette.example.com")
        #expect(tls.url == "wss://marionette.example.com/api/v1/tunnels/tun_AAAAAAAA00000000/connect")
        #expect(tls.tls != nil)
        #expect(try forwarder("http://h").tls == nil)
    }

    @Test func tlsToAnIPAddressIsRefusedUpFront() {
        #expect(throws: TunnelForwarderError.tlsNeedsHostName("127.0.0.1:8443")) { try forwarder("https://127.0.0.1:8443") }
        #expect(throws: TunnelForwarderError.tlsNeedsHostName("[::1]:8443")) { try forwarder("https://[::1]:8443") }
        #expect(throws: Never.self) { try forwarder("https://10.0.0.1.nip.io:8443") }
    }
}
