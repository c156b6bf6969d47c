import Foundation
import Testing

/// `mctl tunnels connect` against real processes: server, local agent, and a TCP echo origin in
/// the runner; mctl forwards a free local port through `GET /api/v1/tunnels/{id}/connect`.
@Suite(.serialized) struct TunnelConnectEndToEndTests {
    /// Starts the TCP echo of origins.py in the runner's workspace (a task that keeps running) and
    /// returns its port. A free port can be taken before the origin binds it: try new ones then.
    static func startEcho(_ server: ServerProcess, key: String, session: String) async throws -> Int {
        let source = try Data(contentsOf: TunnelEndToEndTests.scripts.appendingPathComponent("origins.py")).base64EncodedString()
        for attempt in 1...3 {
            let echoPort = ServerProcess.freePort()
            let task = try await FabricEndToEndTests.task(
                server, key: key, session: session,
                prompt: "echo \(source) | base64 -d > origins.py && exec \(TunnelEndToEndTests.python) origins.py \(ServerProcess.freePort()) \(echoPort)")
            let state = try await FabricEndToEndTests.waitForStatus(
                server, key: key, task: task, ["running", "failed", "completed"])["status"] as? String
            if state == "running" { return echoPort }
            try #require(attempt < 3, "the origins task ended (\(state ?? "?")) three times")
        }
        return 0
    }

    /// Echoes `size` bytes through `port` until the origin is up (it may still be starting).
    static func firstEcho(port: Int, size: Int) async throws -> [String: Any] {
        var reply: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            reply = (try? await TunnelEndToEndTests.client(["tcp-exact", "127.0.0.1", "\(port)", "\(size)"])) ?? [:]
            if reply["equal"] as? Bool == true { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        return reply
    }

    /// Over TLS: the preflight over HTTPS and each connection's WebSocket over wss://.
    @Test func mctlForwardsOverTLS() async throws {
        let pki = try TestPKI.shared.get()
        let server = try ServerProcess(environment: TLSEndToEndTests.tlsEnvironment(pki))
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        #expect(server.baseURL.hasPrefix("https://"))
        let session = try await FabricEndToEndTests.session(server, key: key)
        let echoPort = try await Self.startEcho(server, key: key, session: session)
        let tunnel = try await TunnelEndToEndTests.createTunnel(
            server, key: key, session: session, #"{"type":"tcp","local_port":\#(echoPort)}"#)
        let id = try #require(tunnel["id"] as? String)
        let home = ServerProcess.tempDir("mctl-connect-tls")
        let mctl = ServerProcess.binary("mctl")
        // The WebSocket client sends the host as SNI, which cannot be an IP address: mctl says so.
        let byAddress = try await run(
            mctl, ["tunnels", "connect", id, "--local-port", "0", "--insecure-skip-tls-verify"],
            environment: ["MARIONETTE_API_URL": server.baseURL, "MARIONETTE_API_KEY": key, "HOME": home, "XDG_CONFIG_HOME": home])
        #expect(byAddress.status == 1 && byAddress.stderr.contains("host name"), "\(byAddress.stderr)")

        let byName = "https://localhost:\(server.apiPort)"
        let env = ["MARIONETTE_API_URL": byName, "MARIONETTE_API_KEY": key, "HOME": home, "XDG_CONFIG_HOME": home]
        let localPort = ServerProcess.freePort()
        let forward = try BackgroundCommand(
            mctl, ["tunnels", "connect", id, "--local-port", "\(localPort)", "--insecure-skip-tls-verify"],
            environment: env)
        #expect(try await forward.waitFor("Forwarding 127.0.0.1:\(localPort) -> \(id)"), "\(forward.output)")
        let echoed = try await Self.firstEcho(port: localPort, size: 1_000_000)
        #expect(echoed["equal"] as? Bool == true, "\(echoed)\n\(forward.output)\n\(server.log.suffix(2000))")
        _ = try await forward.interrupt()
    }

    @Test func mctlForwardsConcurrentConnectionsByteExact() async throws {
        let server = try ServerProcess(environment: [
            "MARIONETTE_HEARTBEAT_INTERVAL": "1s", "MARIONETTE_TUNNELS_IDLE_TIMEOUT_SECONDS": "2",
        ])
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)

        let session = try await FabricEndToEndTests.session(server, key: key)
        let echoPort = try await Self.startEcho(server, key: key, session: session)
        let tunnel = try await TunnelEndToEndTests.createTunnel(
            server, key: key, session: session, #"{"type":"tcp","local_port":\#(echoPort)}"#)
        let id = try #require(tunnel["id"] as? String)
        let token = try #require(tunnel["token"] as? String)

        let home = ServerProcess.tempDir("mctl-connect")
        let env = ["MARIONETTE_API_URL": server.baseURL, "MARIONETTE_API_KEY": key, "HOME": home, "XDG_CONFIG_HOME": home]
        let mctl = ServerProcess.binary("mctl")

        // A missing tunnel: exit 1, the reason on stderr, nothing listens.
        let missing = try await run(mctl, ["tunnels", "connect", "tun_AAAAAAAA00000000", "--local-port", "0"], environment: env)
        #expect(missing.status == 1 && missing.stderr.contains("not found"), "\(missing.stdout) \(missing.stderr)")

        // Hummingbird answers a refused upgrade with a bare 400; the same GET without the upgrade
        // headers says why as {code, message} (mctl asks it first).
        let upgradeHeaders = [
            "Authorization: Bearer \(key)", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        ]
        let unknown = server.baseURL + "/api/v1/tunnels/tun_AAAAAAAA00000000/connect"
        let refusedUpgrade = try await TunnelEndToEndTests.curl(unknown, headers: upgradeHeaders)
        #expect(refusedUpgrade.status == 400, "\(refusedUpgrade)")
        let reason = try await TunnelEndToEndTests.curl(unknown, headers: ["Authorization: Bearer \(key)"])
        #expect(reason.status == 404 && reason.json["code"] as? String == "not_found", "\(reason)")

        let localPort = ServerProcess.freePort()
        let forward = try BackgroundCommand(mctl, ["tunnels", "connect", id, "--local-port", "\(localPort)"], environment: env)
        let started = try await forward.waitFor("Forwarding 127.0.0.1:\(localPort) -> \(id)")
        #expect(started, "\(forward.output)\n\(server.log.suffix(2000))")

        // The port is taken now: a second forwarder says so and exits 1.
        let busy = try await run(mctl, ["tunnels", "connect", id, "--local-port", "\(localPort)"], environment: env)
        #expect(busy.status == 1 && busy.stderr.contains("port \(localPort)") && busy.stderr.contains("in use"), "\(busy.stderr)")

        // The runner's echo origin may still be coming up: retry the first small echo.
        let first = try await Self.firstEcho(port: localPort, size: 1000)
        #expect(first["equal"] as? Bool == true, "\(first)\n\(forward.output)\n\(server.log.suffix(3000))")

        // Two large transfers and a small one at once, each on its own WebSocket, byte-exact.
        // A failed client is reported with what mctl and the server said, not thrown without them.
        @Sendable func exact(_ size: Int) async -> String {
            do {
                let result = try await TunnelEndToEndTests.client(["tcp-exact", "127.0.0.1", "\(localPort)", "\(size)"])
                return result["equal"] as? Bool == true && result["length"] as? Int == size ? "" : "\(result)"
            } catch { return "\(error)" }
        }
        async let a = exact(4_000_000)
        async let b = exact(3_000_000)
        async let c = exact(17)
        for (failure, size) in zip(await [a, b, c], [4_000_000, 3_000_000, 17]) {
            #expect(failure.isEmpty, "\(size) bytes: \(failure)\n\(forward.output)\n\(server.log.suffix(3000))")
        }
        // The origin accepts the connections in the order mctl accepted them (iperf3 --bidir tells
        // its two data connections apart by it): 64 connects in a row, each told its accept number.
        let order = try await TunnelEndToEndTests.client(["tcp-order", "127.0.0.1", "\(localPort)", "64"])["numbers"] as? [Any] ?? []
        let numbers = order.compactMap { $0 as? Int }
        #expect(numbers.count == 64 && zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }, "accept numbers: \(order)")
        // The local client's half-close (send, shut down writing, read to EOF): an empty frame
        // finishes the runner side, the echo still comes back whole.
        let halfClosed = try await TunnelEndToEndTests.client(["tcp", "127.0.0.1", "\(localPort)", "2000000"])
        #expect(halfClosed["equal"] as? Bool == true && halfClosed["length"] as? Int == 2_000_000, "\(halfClosed)\n\(forward.output)")
        // No bytes either way for the idle timeout (2 s): the server ends the connection (1001).
        let idle = try await TunnelEndToEndTests.client(["tcp-idle", "127.0.0.1", "\(localPort)"])
        let idleFor = idle["elapsed"] as? Double ?? 0
        #expect(idle["first"] as? String == "x" && idle["rest"] as? String == "" && idleFor >= 1.5 && idleFor < 10, "\(idle)")
        #expect(try await forward.waitFor("(1001): no bytes either way for 2 s"), "\(forward.output)")
        // The same silence on the tunnel's own TCP port: the server resets the connection.
        let publicPort = try #require(tunnel["public_port"] as? Int)
        let idleTCP: [String: Any]
        do {
            idleTCP = try await TunnelEndToEndTests.client(["tcp-idle", "127.0.0.1", "\(publicPort)"])
        } catch {
            Issue.record("tcp-idle on the tunnel's port \(publicPort): \(error)\n\(server.log.suffix(4000))")
            return
        }
        let idleTCPFor = idleTCP["elapsed"] as? Double ?? 0
        #expect(
            idleTCP["first"] as? String == "x" && ["", "ConnectionResetError"].contains(idleTCP["rest"] as? String ?? "?")
                && idleTCPFor >= 1.5 && idleTCPFor < 10, "\(idleTCP)")

        _ = try await forward.interrupt()

        // The tunnel's own token works instead of the API key (it cannot read local_port: give it).
        let tokenEnv = ["MARIONETTE_API_URL": server.baseURL, "HOME": home, "XDG_CONFIG_HOME": home]
        let tokenPort = ServerProcess.freePort()
        let withToken = try BackgroundCommand(
            mctl, ["tunnels", "connect", id, "--token", token, "--local-port", "\(tokenPort)"], environment: tokenEnv)
        #expect(try await withToken.waitFor("Forwarding 127.0.0.1:\(tokenPort) -> \(id)"), "\(withToken.output)")
        let viaToken = try await TunnelEndToEndTests.client(["tcp-exact", "127.0.0.1", "\(tokenPort)", "100000"])
        #expect(viaToken["equal"] as? Bool == true, "\(viaToken)\n\(withToken.output)")

        // A port nothing listens on in the runner: the WebSocket closes with the dial error, which
        // mctl reports on stderr; the local connection just ends.
        let nowhere = try await TunnelEndToEndTests.createTunnel(
            server, key: key, session: session, #"{"type":"tcp","local_port":\#(ServerProcess.freePort())}"#)
        let nowhereID = try #require(nowhere["id"] as? String)
        let deadPort = ServerProcess.freePort()
        let dead = try BackgroundCommand(mctl, ["tunnels", "connect", nowhereID, "--local-port", "\(deadPort)"], environment: env)
        #expect(try await dead.waitFor("Forwarding"), "\(dead.output)")
        // The local connection just ends (client.py may also see a reset).
        let refused = try? await TunnelEndToEndTests.client(["tcp-exact", "127.0.0.1", "\(deadPort)", "10"])
        #expect((refused?["length"] as? Int ?? 0) == 0)
        #expect(try await dead.waitFor("the runner could not connect to port"), "\(dead.output)\n\(server.log.suffix(4000))")
        #expect(dead.output.contains("1011"), "\(dead.output)")

        // The tunnel closed: the next connection's WebSocket is refused, and mctl says why it might be.
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/api/v1/tunnels/\(id)", key: key).status == 204)
        _ = try? await TunnelEndToEndTests.client(["tcp-exact", "127.0.0.1", "\(tokenPort)", "10"])
        #expect(try await withToken.waitFor("refused the WebSocket"), "\(withToken.output)")

        _ = try await withToken.interrupt()
        _ = try await dead.interrupt()

        // Counted as TCP tunnel connections: five opened, one the runner could not dial.
        let metrics = try await TunnelEndToEndTests.metrics(server)
        #expect((metrics[#"marionette_tunnel_connections_total{type="tcp",outcome="opened"}"#] ?? 0) >= 5, "\(metrics)")
        #expect(metrics[#"marionette_tunnel_connections_total{type="tcp",outcome="dial_failed"}"#] == 1)
        #expect((metrics[#"marionette_tunnel_bytes_total{direction="out"}"#] ?? 0) >= 7_000_000)
        // Every connection ended on the server too.
        var active = -1.0
        for _ in 0..<50 {
            active = try await TunnelEndToEndTests.metrics(server)[#"marionette_tunnel_connections_active{type="tcp"}"#] ?? -1
            if active == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(active == 0)
        _ = try await HTTP.send(.DELETE, server.baseURL + "/api/v1/sessions/\(session)", key: key)
    }
}
