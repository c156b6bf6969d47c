import Core
import Foundation
import Gateway
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Orchestrator
import Testing

/// `/api/v1/sessions/{id}/tunnels` and `/api/v1/tunnels/**` through the real router.
@Suite struct TunnelRoutesTests {
    @Test func createListGetClose() async throws {
        var config = ServerConfig()
        config.publicURL = "http://localhost:8080"
        let h = try await GatewayHarness.make(config: config)
        defer { Task { await h.close() } }
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let created = try await c.send(
                .post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"local_port":3000,"labels":{"k":"v"}}"#)
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.json["id"] as? String)
            #expect(ID.isValid(id, prefix: .tunnel))
            #expect(created.json["type"] as? String == "http")
            #expect(created.json["direction"] as? String == "outbound")
            #expect(created.json["status"] as? String == "active")
            #expect(created.json["is_public"] as? Bool == false)
            #expect(created.json["host_header"] as? String == "rewrite")
            #expect(created.json["path_url"] as? String == "http://localhost:8080/tunnels/\(id)/")
            let label = "tun-" + id.dropFirst(4).lowercased()
            #expect(created.json["subdomain_url"] as? String == "http://\(label).tunnels.localhost:8080/")
            #expect(created.json["public_url"] as? String == created.json["subdomain_url"] as? String)
            #expect((created.json["labels"] as? [String: String]) == ["k": "v"])
            #expect((created.json["token"] as? String)?.hasPrefix("ttok_") == true)
            #expect(created.json["expires_at"] is String && created.json["created_at"] is String)

            let tcp = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"type":"tcp","local_port":22,"ttl_seconds":60}"#)
            #expect(tcp.status == 201, "\(tcp.body)")
            // The range's lowest port this host can listen on (parallel tests' servers hold some).
            let port = try #require(tcp.json["public_port"] as? Int)
            #expect((20000...20999).contains(port))
            #expect(tcp.json["public_host"] as? String == "localhost")
            #expect(tcp.json["public_url"] as? String == "tcp://localhost:\(port)")
            #expect(tcp.json["host_header"] == nil)
            #expect((tcp.json["allow_cidrs"] as? [String]) == ["127.0.0.0/8", "::1/128"])
            let tcpID = try #require(tcp.json["id"] as? String)

            let got = try await c.send(.get, "/api/v1/tunnels/\(id)")
            #expect(got.status == 200)
            #expect(got.json["token"] == nil && !got.body.contains("ttok_"))

            let list = try await c.send(.get, "/api/v1/sessions/\(sid)/tunnels?limit=1")
            #expect(list.json["total_count"] as? Int == 2)
            #expect(list.json["has_more"] as? Bool == true)
            #expect(list.json["next_cursor"] is String)
            #expect(!list.body.contains("ttok_"))
            #expect(try await c.send(.get, "/api/v1/tunnels?type=tcp").json["total_count"] as? Int == 1)
            #expect(try await c.send(.get, "/api/v1/tunnels?session_id=\(sid)").json["total_count"] as? Int == 2)

            #expect(try await c.send(.delete, "/api/v1/tunnels/\(tcpID)").status == 204)
            #expect(try await c.send(.delete, "/api/v1/tunnels/\(tcpID)").status == 204)
            let closed = try await c.send(.get, "/api/v1/tunnels/\(tcpID)")
            #expect(closed.status == 410 && closed.code == "tunnel_closed")
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/tunnels").json["total_count"] as? Int == 1)
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/tunnels?include_closed=true").json["total_count"] as? Int == 2)

            // Terminating the session closes what is left.
            #expect(try await c.send(.delete, "/api/v1/sessions/\(sid)").status == 204)
            #expect(try await c.send(.get, "/api/v1/tunnels/\(id)").code == "tunnel_closed")
            #expect(try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"local_port":1}"#).code == "invalid_state")
        }
    }

    @Test func errorsFollowTheSpec() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let path = "/api/v1/sessions/\(sid)/tunnels"
            func expect(_ json: String, _ status: Int, _ code: String, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let reply = try await c.send(.post, path, json: json)
                #expect(reply.status == status, "\(json) → \(reply.body)", sourceLocation: sourceLocation)
                #expect(reply.code == code, "\(json) → \(reply.body)", sourceLocation: sourceLocation)
                if let field {
                    #expect((reply.json["details"] as? [String: String])?["field"] == field, "\(reply.body)", sourceLocation: sourceLocation)
                }
                #expect(reply.json["message"] is String, sourceLocation: sourceLocation)
            }
            try await expect("{", 400, "invalid_json")
            try await expect("{}", 400, "validation_error", field: "local_port")
            try await expect(#"{"local_port":"80"}"#, 400, "validation_error")
            try await expect(#"{"local_port":70000}"#, 400, "validation_error", field: "local_port")
            try await expect(#"{"local_port":80,"type":"udp"}"#, 400, "invalid_type", field: "type")
            try await expect(#"{"local_port":80,"host_header":"x"}"#, 400, "validation_error", field: "host_header")
            try await expect(#"{"local_port":80,"type":"tcp","allow_cidrs":["bad"]}"#, 400, "validation_error", field: "allow_cidrs")
            try await expect(#"{"local_port":80,"ttl_seconds":-5}"#, 400, "validation_error", field: "ttl_seconds")
            try await expect(#"{"local_port":80,"labels":{"bad key!":"v"}}"#, 400, "validation_error")

            #expect(try await c.send(.post, "/api/v1/sessions/sess_nope/tunnels", json: #"{"local_port":1}"#).status == 404)
            #expect(try await c.send(.get, "/api/v1/tunnels/tun_AAAAAAAA00000000").code == "not_found")
            #expect(try await c.send(.get, "/api/v1/tunnels/strm_AAAAAAAA00000000").status == 404)
            #expect(try await c.send(.delete, "/api/v1/tunnels/tun_AAAAAAAA00000000").status == 404)
            #expect(try await c.send(.get, "/api/v1/tunnels?type=udp").code == "validation_error")
            #expect(try await c.send(.get, "/api/v1/tunnels?include_closed=maybe").code == "validation_error")
            #expect(try await c.send(.get, "/api/v1/tunnels?cursor=notacursor").code == "invalid_cursor")
            #expect(try await c.send(.get, "/api/v1/tunnels", auth: .some(nil)).status == 401)
            #expect(try await c.send(.post, path, json: #"{"local_port":1}"#, auth: .some("Bearer ttok_" + String(repeating: "a", count: 43))).code == "invalid_token")
        }
        // Scopes: tunnels:read lists but cannot create or close.
        let reader = try await h.services.apiKeys.create(CreateAPIKeyRequest(name: "r", scopes: ["tunnels:read", "sessions:write"]), createdBy: "t")
        try await h.api { c in
            let auth = "Bearer \(reader.rawToken)"
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#, auth: .some(auth)).json["id"] as? String)
            let denied = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"local_port":1}"#, auth: .some(auth))
            #expect(denied.status == 403 && denied.code == "forbidden")
            #expect(try await c.send(.get, "/api/v1/sessions/\(sid)/tunnels", auth: .some(auth)).status == 200)
            let id = try #require(try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"local_port":1}"#).json["id"] as? String)
            #expect(try await c.send(.delete, "/api/v1/tunnels/\(id)", auth: .some(auth)).code == "forbidden")
        }
    }

    /// A TCP tunnel never gets a port of its range that another process listens on (its listener
    /// could not bind it, and clients would reach that process): the next port is taken; a range
    /// with none left answers 503 naming it.
    @Test func tcpTunnelsSkipPortsAnotherProcessHolds() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        var held: (any Channel)?
        var port = 0
        for _ in 0..<20 where held == nil {
            let candidate = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
            let next = try #require(candidate.localAddress?.port) + 1
            if next <= 65535, let probe = try? await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: next).get() {
                try await probe.close()
                held = candidate
                port = next - 1
            } else {
                try await candidate.close()
            }
        }
        let holder = try #require(held, "no two consecutive free ports")
        let heldPort = port
        var config = ServerConfig()
        config.tunnels.tcpPortRange = port...(port + 1)
        let h = try await GatewayHarness.make(config: config)
        defer { Task { await h.close() } }
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let tcp = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"type":"tcp","local_port":22}"#)
            #expect(tcp.status == 201, "\(tcp.body)")
            #expect(tcp.json["public_port"] as? Int == heldPort + 1, "port \(heldPort) is held by another socket")
            let none = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"type":"tcp","local_port":23}"#)
            #expect(none.status == 503 && none.code == "service_unavailable", "\(none.body)")
            #expect((none.json["message"] as? String)?.contains("\(heldPort)-\(heldPort + 1)") == true, "\(none.body)")
        }
        try await holder.close()
    }

    /// `GET /tunnels/{id}/connect` answers its refusals before any upgrade, with an API key or the
    /// tunnel's own token (header or `?token=`).
    @Test func connectChecksBeforeTheUpgrade() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let noScope = try await h.services.apiKeys.create(CreateAPIKeyRequest(name: "s", scopes: ["sessions:read"]), createdBy: "t")
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let created = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"type":"tcp","local_port":7000}"#)
            let id = try #require(created.json["id"] as? String)
            let token = try #require(created.json["token"] as? String)
            let other = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"local_port":7001}"#)
            let otherToken = try #require(other.json["token"] as? String)
            let path = "/api/v1/tunnels/\(id)/connect"

            let missing = try await c.send(.get, path, auth: .some(nil))
            #expect(missing.status == 401 && missing.code == "missing_auth")
            #expect(try await c.send(.get, "/api/v1/tunnels/tun_AAAAAAAA00000000/connect").code == "not_found")
            #expect(try await c.send(.get, "/api/v1/tunnels/strm_AAAAAAAA00000000/connect").status == 404)
            let forbidden = try await c.send(.get, path, auth: .some("Bearer \(noScope.rawToken)"))
            #expect(forbidden.status == 403 && forbidden.code == "forbidden")
            let wrongToken = try await c.send(.get, path, auth: .some("Bearer \(otherToken)"))
            #expect(wrongToken.status == 401 && wrongToken.code == "invalid_token")
            // Every credential check passes; the session has no connected runner.
            for (uri, auth) in [(path, "Bearer \(c.key)"), (path, "Bearer \(token)"), (path + "?token=\(token)", nil)] {
                let reply = try await c.send(.get, uri, auth: .some(auth))
                #expect(reply.status == 503 && reply.code == "runner_not_connected", "\(uri): \(reply.body)")
            }
            #expect(try await c.send(.delete, "/api/v1/tunnels/\(id)").status == 204)
            let closed = try await c.send(.get, path, auth: .some("Bearer \(token)"))
            #expect(closed.status == 410 && closed.code == "tunnel_closed")
        }
    }

    /// In multi-tenant mode another tenant's key gets 404 on connect, never 403; the owner's key and
    /// the tunnel's token pass the credential checks.
    @Test func connectIsScopedToTheTenant() async throws {
        let base = try await GatewayHarness.make()
        defer { Task { await base.close() } }
        let h = base.multiTenant()
        var acme = CreateAPIKeyRequest(name: "acme", scopes: ["*"])
        acme.tenantID = "acme"
        var other = CreateAPIKeyRequest(name: "other", scopes: ["*"])
        other.tenantID = "other"
        let acmeKey = try await h.services.apiKeys.create(acme, createdBy: "t").rawToken
        let otherKey = try await h.services.apiKeys.create(other, createdBy: "t").rawToken
        try await h.api { c in
            let auth = "Bearer \(acmeKey)"
            let sid = try #require(
                try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#, auth: .some(auth)).json["id"] as? String)
            let created = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"local_port":7000}"#, auth: .some(auth))
            let id = try #require(created.json["id"] as? String, "\(created.body)")
            let foreign = try await c.send(.get, "/api/v1/tunnels/\(id)/connect", auth: .some("Bearer \(otherKey)"))
            #expect(foreign.status == 404 && foreign.code == "not_found", "\(foreign.body)")
            let own = try await c.send(.get, "/api/v1/tunnels/\(id)/connect", auth: .some(auth))
            #expect(own.code == "runner_not_connected", "\(own.body)")
        }
    }

    /// A TCP tunnel resets new connections past `tunnels.new_connections_per_second` as it accepts
    /// them (streaming.md §7.6), counted as `rate_limited`; a second's worth may come at once.
    @Test func tcpTunnelsLimitNewConnectionsPerSecond() async throws {
        var config = ServerConfig()
        config.tunnels.newConnectionsPerSecond = 2
        let h = try await GatewayHarness.make(config: config)
        defer { Task { await h.close() } }
        let created = NIOLockedValueBox(0)
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            let tcp = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"type":"tcp","local_port":22,"public":true}"#)
            #expect(tcp.status == 201, "\(tcp.body)")
            created.withLockedValue { $0 = tcp.json["public_port"] as? Int ?? 0 }
        }
        let port = created.withLockedValue { $0 }
        try #require(port > 0)
        // Twelve in a row: two fit the burst and a few more what the time taken refills; the rest are
        // reset at accept. (The admitted ones are reset too, later: this session has no runner.)
        var clients: [any Channel] = []
        for _ in 0..<12 {
            // A reset can come before the client's connect has completed: that connect fails.
            if let client = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
                clients.append(client)
            }
        }
        let name = #"marionette_tunnel_connections_total{type="tcp",outcome="rate_limited"} "#
        let counted = NIOLockedValueBox(0)
        var limited = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            try await h.admin { c in
                let text = try await c.send(.get, "/metrics", auth: .some(nil)).body
                let line = text.split(separator: "\n").first { $0.hasPrefix(name) }
                counted.withLockedValue { $0 = line.flatMap { Int($0.dropFirst(name.count)) } ?? 0 }
            }
            limited = counted.withLockedValue { $0 }
            if limited >= 5 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(limited >= 5 && limited <= 10, "rate-limited connections: \(limited) of 12")
        for client in clients { try? await client.close() }
    }
}
