import Testing

@testable import Client

/// Where `mctl tunnels connect` dials, from its WebSocket URL.
@Suite struct WebSocketDialerTests {
    func dialer(_ url: String) throws -> WebSocketDialer {
        try WebSocketDialer(url: url, headers: [], sslContext: nil, maxFrameSize: 1 << 20)
    }

    @Test func hostPortAndPathFromTheURL() throws {
        let plain = try dialer("ws://127.0.0.1:8080/api/v1/tunnels/tun_A/connect")
        #expect(plain.host == "127.0.0.1" && plain.port == 8080 && plain.authority == "127.0.0.1:8080")
        #expect(plain.path == "/api/v1/tunnels/tun_A/connect")
        let defaults = try dialer("wss://marionette.example.com")
        #expect(defaults.host == "marionette.example.com" && defaults.port == 443 && defaults.path == "/")
        #expect(try dialer("ws://h?token=x").path == "/?token=x" && dialer("ws://h").port == 80)
        let v6 = try dialer("ws://[::1]:9000/x")
        #expect(v6.host == "::1" && v6.port == 9000 && v6.authority == "[::1]:9000" && v6.path == "/x")
        #expect(try dialer("ws://[::1]/").port == 80)
        #expect(throws: WebSocketHandshakeError.invalidURL("http://h/")) { try dialer("http://h/") }
    }
}
