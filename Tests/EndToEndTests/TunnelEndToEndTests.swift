import Foundation
import Synchronization
import Testing

/// Server + local agent as real processes: origins (Python `http.server` with SSE, uploads,
/// downloads and a WebSocket echo; a TCP echo) run in the runner's workspace, started by a task;
/// clients reach them through both HTTP tunnel forms and a TCP tunnel.
@Suite(.serialized) struct TunnelEndToEndTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("tunnels")
    static let python = "/usr/bin/python3"

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// `curl -i` against the public port; `host` overrides the Host header (subdomain form).
    static func curl(_ url: String, host: String? = nil, headers: [String] = [], extra: [String] = []) async throws -> Reply {
        var arguments = ["-s", "-i", "--max-time", "60"]
        if let host { arguments += ["-H", "Host: \(host)"] }
        for header in headers { arguments += ["-H", header] }
        let result = try await run("/usr/bin/curl", arguments + extra + [url])
        let text = result.stdout
        // Skip 100 Continue heads.
        var rest = Substring(text)
        var head = ""
        repeat {
            guard let end = rest.range(of: "\r\n\r\n") else { throw E2EError("no HTTP head from curl \(url): \(text.prefix(300)) \(result.stderr)") }
            head = String(rest[..<end.lowerBound])
            rest = rest[end.upperBound...]
        } while head.hasPrefix("HTTP/1.1 100")
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: fields, body: String(rest))
    }

    static func client(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await run(python, [scripts.appendingPathComponent("client.py").path] + arguments)
        guard let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw E2EError("client.py \(arguments): \(result.stdout) \(result.stderr)")
        }
        return json
    }

    /// `GET /metrics` from the admin listener as sample name (with labels) -> value.
    static func metrics(_ server: ServerProcess) async throws -> [String: Double] {
        let reply = try await curl(server.adminURL + "/metrics")
        guard reply.status == 200 else { throw E2EError("GET /metrics: \(reply.status) \(reply.body.prefix(300))") }
        var samples: [String: Double] = [:]
        for line in reply.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    static func createTunnel(_ server: ServerProcess, key: String, session: String, _ json: String) async throws -> [String: Any] {
        let reply = try await HTTP.send(.POST, server.baseURL + "/api/v1/sessions/\(session)/tunnels", key: key, json: json)
        guard reply.status == 201 else { throw E2EError("tunnel create \(json): \(reply.status) \(reply.body)") }
        return reply.json
    }

    @Test func httpAndTCPTunnelsCarryRealTraffic() async throws {
        let tcpBase = Int.random(in: 30000...50000)
        // The local provider passes the agent's tunnels.blocked_ports on to the agents it starts.
        let blockedPort = ServerProcess.freePort()
        let server = try ServerProcess(environment: [
            "MARIONETTE_HEARTBEAT_INTERVAL": "1s", "MARIONETTE_TUNNELS_TCP_PORT_RANGE": "\(tcpBase)-\(tcpBase + 4)",
            "MARIONETTE_TUNNELS_BLOCKED_PORTS": "\(blockedPort)",
            // Short enough to wait out below, long enough for every other request of a busy debug run.
            "MARIONETTE_TUNNELS_RESPONSE_HEADER_TIMEOUT_SECONDS": "8", "MARIONETTE_TUNNELS_WEBSOCKET_UPGRADE_TIMEOUT_SECONDS": "3",
        ])
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let api = server.apiPort
        let base = "http://127.0.0.1:\(api)"

        // Origins inside the runner's workspace, started by a task that keeps running.
        // A free port can be taken by another test before the origin binds it: try new ones then.
        let source = try Data(contentsOf: Self.scripts.appendingPathComponent("origins.py")).base64EncodedString()
        let session = try await FabricEndToEndTests.session(server, key: key)
        var httpPort = 0
        var tcpPort = 0
        for attempt in 1...3 {
            httpPort = ServerProcess.freePort()
            tcpPort = ServerProcess.freePort()
            let task = try await FabricEndToEndTests.task(
                server, key: key, session: session,
                prompt: "echo \(source) | base64 -d > origins.py && exec \(Self.python) origins.py \(httpPort) \(tcpPort)")
            let state = try await FabricEndToEndTests.waitForStatus(
                server, key: key, task: task, ["running", "failed", "completed"])["status"] as? String
            if state == "running" { break }
            try #require(attempt < 3, "the origins task ended (\(state ?? "?")) three times")
        }

        let tunnel = try await Self.createTunnel(server, key: key, session: session, #"{"local_port":\#(httpPort)}"#)
        let id = try #require(tunnel["id"] as? String)
        let token = try #require(tunnel["token"] as? String)
        let label = "tun-" + id.dropFirst(4).lowercased()
        let subdomain = "\(label).tunnels.localhost:\(api)"
        #expect(tunnel["subdomain_url"] as? String == "http://\(subdomain)/")
        let auth = "X-Marionette-Tunnel-Token: \(token)"

        // The origin comes up and the runner's data connection is there: poll through the tunnel.
        var first = Reply(status: 0, headers: [:], body: "")
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            first = try await Self.curl("\(base)/tunnels/\(id)/", headers: [auth])
            if first.status == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(first.status == 200, "\(first)\n\(server.log.suffix(3000))")
        #expect(first.body == "hello from origin /")
        #expect(first.headers["connection"] == nil, "the connection stays open for the next request")

        // A browser opening the tunnel with its token in the query gets a cookie for it and a 303 to
        // the same URL without the token (api.md §9.4).
        let opened = try await Self.curl("\(base)/tunnels/\(id)/headers?x=1&marionette_token=\(token)")
        #expect(opened.status == 303 && opened.headers["location"] == "/tunnels/\(id)/headers?x=1", "\(opened)")
        // A target that starts with `//` is sent back absolute on the same host, not to another one.
        let doubled = try await Self.curl("\(base)//elsewhere.test/x?marionette_token=\(token)", host: subdomain, extra: ["--path-as-is"])
        #expect(doubled.status == 303 && doubled.headers["location"] == "http://\(subdomain)//elsewhere.test/x", "\(doubled)")
        let setCookie = opened.headers["set-cookie"] ?? ""
        #expect(setCookie.hasPrefix("marionette_tunnel_\(id)=\(token); Path=/tunnels/\(id)/;") && setCookie.contains("HttpOnly"), "\(opened)")

        // Path form: prefix stripped, credentials stripped (the tunnel's cookie too, the origin's own
        // kept), forwarding headers set, Host rewritten.
        let headers = try await Self.curl(
            "\(base)/tunnels/\(id)/headers?x=1",
            headers: ["X-Forwarded-For: 6.6.6.6", "X-Marionette-Other: 1", "Cookie: app=1; marionette_tunnel_\(id)=\(token)"])
        #expect(headers.status == 200, "\(headers)")
        let seen = headers.json["headers"] as? [String: String] ?? [:]
        #expect(headers.json["path"] as? String == "/headers?x=1")
        #expect(seen["host"] == "localhost:\(httpPort)")
        #expect(seen["x-forwarded-for"] == "127.0.0.1")
        #expect(seen["x-forwarded-proto"] == "http")
        #expect(seen["x-forwarded-host"] == "127.0.0.1:\(api)")
        #expect(seen["x-forwarded-prefix"] == "/tunnels/\(id)")
        #expect(seen["forwarded"] == "for=127.0.0.1;proto=http;host=\"127.0.0.1:\(api)\"", "\(seen)")
        #expect(seen["x-marionette-other"] == nil && seen["x-marionette-tunnel-token"] == nil)
        #expect(seen["cookie"] == "app=1", "\(seen)")
        #expect(!headers.body.contains(token))

        // Subdomain form with each credential kind; no path rewriting.
        let viaHost = try await Self.curl("\(base)/headers", host: subdomain, headers: [auth])
        #expect(viaHost.status == 200 && viaHost.json["path"] as? String == "/headers", "\(viaHost)")
        #expect(try await Self.curl("\(base)/", host: subdomain.uppercased(), extra: ["-u", "anyone:\(token)"]).status == 200)
        let bearer = try await Self.curl("\(base)/headers", host: subdomain, headers: ["Authorization: Bearer \(token)"])
        #expect(bearer.status == 200 && (bearer.json["headers"] as? [String: String])?["authorization"] == nil)
        #expect(try await Self.curl("\(base)/", host: subdomain, headers: ["Authorization: Bearer \(key)"]).status == 200)

        // Refusals are Marionette's own {code, message}.
        let missing = try await Self.curl("\(base)/tunnels/\(id)/")
        #expect(missing.status == 401 && missing.headers["x-marionette-error"] == "missing_auth")
        #expect(missing.headers["www-authenticate"] == #"Basic realm="Marionette Tunnel""#)
        #expect(missing.json["code"] as? String == "missing_auth")
        let wrong = try await Self.curl("\(base)/", host: subdomain, headers: ["X-Marionette-Tunnel-Token: ttok_" + String(repeating: "x", count: 43)])
        #expect(wrong.status == 401 && wrong.json["code"] as? String == "invalid_token")
        let unknown = try await Self.curl("\(base)/tunnels/tun_AAAAAAAA00000000/", headers: [auth])
        #expect(unknown.status == 404 && unknown.json["code"] as? String == "not_found")
        #expect(try await Self.curl("\(base)/", host: "tun-nope.tunnels.localhost").status == 404)
        // The API on the same port is untouched.
        #expect(try await Self.curl("\(base)/health").status == 200)

        // Location re-prefixed for the path form.
        let redirect = try await Self.curl("\(base)/tunnels/\(id)/redirect", headers: [auth])
        #expect(redirect.status == 302 && redirect.headers["location"] == "/tunnels/\(id)/hello")

        // Public tunnels need nothing.
        let open = try await Self.createTunnel(server, key: key, session: session, #"{"local_port":\#(httpPort),"public":true}"#)
        let openID = try #require(open["id"] as? String)
        #expect(try await Self.curl("\(base)/tunnels/\(openID)/hello").body == "hello from origin /hello")

        // Upload and download stream through.
        let upload = ServerProcess.tempDir("tun-up") + "/blob"
        // Written by `head` off the cooperative pool (a 24 MiB map in a debug build held a pool thread for seconds).
        let blobSize = 24 << 20
        _ = try await run("/bin/sh", ["-c", "head -c \(blobSize) /dev/urandom > \"$0\"", upload])
        let posted = try await Self.curl(
            "\(base)/tunnels/\(id)/upload", headers: [auth, "Content-Type: application/octet-stream"],
            extra: ["--data-binary", "@\(upload)"])
        #expect(posted.status == 200 && posted.json["length"] as? Int == blobSize, "\(posted.status) \(posted.body.prefix(300))")
        let sha = try await run("/usr/bin/sha256sum", [upload]).stdout.split(separator: " ").first.map(String.init)
        #expect(posted.json["sha256"] as? String == sha)
        let size = 64 << 20
        let download = try await run(
            "/usr/bin/curl", ["-s", "--max-time", "60", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", auth, "\(base)/tunnels/\(id)/bytes/\(size)"])
        #expect(download.stdout == "200 \(size)")

        // WebSocket echo of 16 B and 4 MiB messages (subdomain form).
        let ws = try await Self.client(["ws", "127.0.0.1", "\(api)", subdomain, "/ws", "16,4194304", auth])
        #expect(ws["status"] as? Int == 101, "\(ws)")
        #expect(ws["echoed"] as? [Bool] == [true, true])

        // SSE events arrive one by one (0.3 s apart), not batched at the end.
        let sse = try await Self.client(["sse", "127.0.0.1", "\(api)", subdomain, "/sse", auth])
        let times = sse["times"] as? [Double] ?? []
        #expect(times.count == 5, "\(sse)")
        if times.count == 5 {
            #expect(times[0] < 0.5 && times[4] - times[0] > 0.9, "\(times)")
        }

        // Keep-alive: every framing (length, HEAD, chunked with trailers, an upload), pipelining, and
        // `Connection: close` at the end, on one client connection and one origin connection.
        for (host, prefix) in [(subdomain, ""), ("127.0.0.1:\(api)", "/tunnels/\(id)")] {
            let kept = try await Self.client(["keepalive", "127.0.0.1", "\(api)", host, prefix, auth])
            let steps = kept["steps"] as? [[String: Any]] ?? []
            #expect(steps.map { $0["status"] as? Int } == Array(repeating: 200, count: 7), "\(kept)")
            let byName = Dictionary(steps.map { ($0["name"] as? String ?? "", $0) }) { a, _ in a }
            #expect(byName["chunked"]?["body"] as? String == "alpha-beta-gamma")
            #expect(byName["head"]?["body"] as? String == "")
            #expect((byName["post"]?["body"] as? String)?.contains(#""length": 100000"#) == true, "\(kept)")
            #expect(byName["hello"]?["body"] as? String == "hello from origin /hello")
            let ports = ["peer1", "peer2", "last"].map { byName[$0]?["body"] as? String }
            #expect(Set(ports).count == 1 && ports[0] != nil, "one origin connection serves them all: \(ports)")
            #expect(byName["peer1"]?["connection"] as? String == "", "keep-alive responses say nothing")
            #expect(byName["last"]?["connection"] as? String == "close")
            #expect(kept["closed_after_last"] as? Bool == true, "\(kept)")

            // A client that half-closes after its requests still gets every answer, then the close.
            let half = try await Self.client(["halfclose", "127.0.0.1", "\(api)", host, prefix, auth])
            #expect(half["statuses"] as? [Int] == [200, 200] && half["closed"] as? Bool == true, "\(half)")
        }

        // 200 connections opened at once: every one is answered by the origin. That is twice the
        // runner command queue a burst once overflowed (as 503s), and six times the runner's standby
        // streams, so most connections wait in the server for one. Not more: these binaries are a
        // debug build, 15-20x slower per connection than release (500 took 2.5-3 s on an idle
        // 2-core machine against 0.17 s), and on a CI machine busy with the other suites the last
        // of 500 passed the 10 s a connection may wait for the runner (streaming.md §7.2).
        let parallel = try await Self.client(["parallel", "\(base)/tunnels/\(id)/hello", "200", auth])
        #expect(parallel["ok"] as? Int == 200, "\(parallel)")

        // An origin that never answers: 504 once the request has waited out the response-header
        // timeout (the upgrade timeout for an upgrade request), the origin's connection reset.
        async let hung = Self.curl("\(base)/tunnels/\(id)/hang", headers: [auth])
        async let hungUpgrade = Self.curl(
            "\(base)/tunnels/\(id)/hang",
            headers: [auth, "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="])
        let (timedOut, upgradeTimedOut) = try await (hung, hungUpgrade)
        #expect(timedOut.status == 504 && timedOut.json["code"] as? String == "gateway_timeout", "\(timedOut)")
        #expect(timedOut.headers["x-marionette-error"] == "gateway_timeout")
        #expect((timedOut.json["message"] as? String)?.contains("no response headers within 8 s") == true, "\(timedOut)")
        #expect(upgradeTimedOut.status == 504, "\(upgradeTimedOut)")
        #expect((upgradeTimedOut.json["message"] as? String)?.contains("upgrade request within 3 s") == true, "\(upgradeTimedOut)")

        // A port nothing listens on: 502 from the runner's dial.
        let closedPort = ServerProcess.freePort()
        let dead = try await Self.createTunnel(server, key: key, session: session, #"{"local_port":\#(closedPort)}"#)
        let deadReply = try await Self.curl("\(base)/tunnels/\(dead["id"] as? String ?? "")/", headers: ["X-Marionette-Tunnel-Token: \(dead["token"] as? String ?? "")"])
        #expect(deadReply.status == 502 && deadReply.json["code"] as? String == "bad_gateway", "\(deadReply)")

        // A port in the runner's tunnels.blocked_ports is never dialled, though something listens there.
        let blockedOrigin = try BackgroundCommand(
            Self.python, ["-m", "http.server", "--bind", "127.0.0.1", "\(blockedPort)"], environment: [:])
        defer { blockedOrigin.process.terminate() }
        var reachable = Reply(status: 0, headers: [:], body: "")
        for _ in 0..<50 where reachable.status != 200 {
            reachable = (try? await Self.curl("http://127.0.0.1:\(blockedPort)/")) ?? reachable
            if reachable.status != 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(reachable.status == 200, "the blocked port's own listener: \(blockedOrigin.output)")
        let blocked = try await Self.createTunnel(server, key: key, session: session, #"{"local_port":\#(blockedPort),"public":true}"#)
        let blockedReply = try await Self.curl("\(base)/tunnels/\(blocked["id"] as? String ?? "")/")
        #expect(blockedReply.status == 502 && blockedReply.json["code"] as? String == "bad_gateway", "\(blockedReply)")
        #expect((blockedReply.json["message"] as? String)?.contains("port \(blockedPort) is blocked on this runner") == true, "\(blockedReply)")

        // TCP: echo through the public port; a source outside allow_cidrs is refused.
        let tcp = try await Self.createTunnel(server, key: key, session: session, #"{"type":"tcp","local_port":\#(tcpPort)}"#)
        let publicPort = try #require(tcp["public_port"] as? Int)
        #expect(publicPort == tcpBase)
        var echoed: [String: Any] = [:]
        var failure = ""
        for _ in 0..<20 {
            do {
                echoed = try await Self.client(["tcp", "127.0.0.1", "\(publicPort)", "4000000"])
            } catch {
                failure = "\(error)"
            }
            if echoed["equal"] as? Bool == true { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(echoed["equal"] as? Bool == true, "\(echoed) \(failure)\n\(server.log.suffix(3000))")
        // The origin accepts connections in the order the clients made them (iperf3 --bidir gives its
        // two data connections their roles by it): 64 connects in a row, each told its accept number.
        let order = try await Self.client(["tcp-order", "127.0.0.1", "\(publicPort)", "64"])["numbers"] as? [Any] ?? []
        let numbers = order.compactMap { $0 as? Int }
        #expect(numbers.count == 64 && zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }, "accept numbers: \(order)")
        let fenced = try await Self.createTunnel(
            server, key: key, session: session, #"{"type":"tcp","local_port":\#(tcpPort),"allow_cidrs":["10.0.0.0/8"]}"#)
        let refused = try await Self.client(["tcp-refused", "127.0.0.1", "\(fenced["public_port"] as? Int ?? 0)"])
        #expect(refused["data"] as? String ?? "" == "", "\(refused)")

        // Closing mid-flight ends the stream; afterwards the entry point answers 404, the TCP port is gone.
        // (A 40-event stream lasts 12 s; the close comes after 2 s.)
        let inFlight = Task.detached { () throws -> [Double] in
            try await Self.client(["sse", "127.0.0.1", "\(api)", subdomain, "/sse/40", auth])["times"] as? [Double] ?? []
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/api/v1/tunnels/\(id)", key: key).status == 204)
        let cut = try await inFlight.value
        #expect(!cut.isEmpty && cut.count < 30 && (cut.last ?? 99) < 9, "\(cut)")
        #expect(try await Self.curl("\(base)/tunnels/\(id)/", headers: [auth]).status == 404)
        #expect(try await HTTP.send(.DELETE, server.baseURL + "/api/v1/tunnels/\(tcp["id"] as? String ?? "")", key: key).status == 204)
        let gone = try await Self.client(["tcp-refused", "127.0.0.1", "\(publicPort)"])
        #expect(gone["error"] != nil || gone["data"] as? String == "", "\(gone)")

        // Expiry.
        let short = try await Self.createTunnel(server, key: key, session: session, #"{"local_port":\#(httpPort),"public":true,"ttl_seconds":2}"#)
        let shortID = try #require(short["id"] as? String)
        #expect(try await Self.curl("\(base)/tunnels/\(shortID)/").status == 200)
        try await Task.sleep(for: .milliseconds(3500))
        let expired = try await Self.curl("\(base)/tunnels/\(shortID)/")
        #expect(expired.status == 410 && expired.json["code"] as? String == "tunnel_expired", "\(expired)")

        // What went through shows on the admin listener's /metrics (streaming.md §9).
        let metrics = try await Self.metrics(server)
        for name in [
            #"marionette_tunnel_connections_total{type="http",outcome="opened"}"#,
            #"marionette_tunnel_connections_total{type="tcp",outcome="opened"}"#,
            #"marionette_tunnel_requests_total{status="2xx"}"#, "marionette_tunnel_open_latency_seconds_count",
            // The runner keeps standby streams: connections are asked on them.
            #"marionette_tunnel_dials_total{via="standby"}"#,
            "marionette_log_lines_ingested_total", "marionette_task_dispatch_latency_seconds_count",
        ] {
            #expect((metrics[name] ?? 0) >= 1, "\(name): \(metrics[name] ?? -1)")
        }
        // The WebSocket echo alone moved 4 MiB each way.
        #expect((metrics[#"marionette_tunnel_bytes_total{direction="in"}"#] ?? 0) > 4_000_000)
        #expect((metrics[#"marionette_tunnel_bytes_total{direction="out"}"#] ?? 0) > 4_000_000)
        #expect(metrics[#"marionette_runners_connected{status="connected"}"#] == 1)

        // mctl tunnels create | list | get | close against the same server.
        let home = ServerProcess.tempDir("mctl-tun")
        let env = ["MARIONETTE_API_URL": server.baseURL, "MARIONETTE_API_KEY": key, "HOME": home, "XDG_CONFIG_HOME": home]
        let mctl = ServerProcess.binary("mctl")
        let created = try await run(mctl, ["tunnels", "create", "--session", session, "--port", "\(httpPort)", "--ttl", "30m"], environment: env)
        #expect(created.status == 0, "\(created.stdout) \(created.stderr)")
        #expect(created.stdout.contains("Token: ttok_") && created.stdout.contains("Save this token; it will not be shown again."))
        #expect(created.stdout.contains("Path URL") && created.stdout.contains("Subdomain URL"))
        let createdJSON = try await run(mctl, ["tunnels", "create", "--session", session, "--port", "\(tcpPort)", "--type", "tcp", "-o", "json"], environment: env)
        let tcpCreated = (try? JSONSerialization.jsonObject(with: Data(createdJSON.stdout.utf8))) as? [String: Any] ?? [:]
        let cliTCP = try #require(tcpCreated["id"] as? String, "\(createdJSON.stdout) \(createdJSON.stderr)")
        #expect(tcpCreated["public_port"] is Int)
        let listed = try await run(mctl, ["tunnels", "list", session], environment: env)
        #expect(listed.status == 0 && listed.stdout.contains(cliTCP), "\(listed.stdout) \(listed.stderr)")
        let header = listed.stdout.split(separator: "\n").first.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(header == "ID TYPE PORT PUBLIC URL STATUS EXPIRES", "\(listed.stdout)")
        let got = try await run(mctl, ["tunnels", "get", cliTCP], environment: env)
        #expect(got.status == 0 && got.stdout.contains("tcp://"), "\(got.stdout)")
        // One URL of a tunnel; a TCP tunnel has no path URL. Every tenant's tunnels on the admin side.
        let pathURL = try await run(mctl, ["tunnels", "url", openID, "--form", "path"], environment: env)
        #expect(pathURL.status == 0 && pathURL.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == open["path_url"] as? String, "\(pathURL.stdout) \(pathURL.stderr)")
        let tcpURL = try await run(mctl, ["tunnels", "url", cliTCP], environment: env)
        #expect(tcpURL.stdout.hasPrefix("tcp://"), "\(tcpURL.stdout) \(tcpURL.stderr)")
        let noPath = try await run(mctl, ["tunnels", "url", cliTCP, "--form", "path"], environment: env)
        #expect(noPath.status != 0 && noPath.stderr.contains("has no path URL"), "\(noPath.stdout) \(noPath.stderr)")
        let password = try #require(server.adminPassword)
        let adminListed = try await run(
            mctl, ["admin", "tunnels", "list", "--session", session, "--admin-server", server.adminURL,
                   "--admin-username", "admin", "--admin-password", password], environment: env)
        #expect(adminListed.status == 0 && adminListed.stdout.contains(openID) && adminListed.stdout.contains(cliTCP),
                "\(adminListed.stdout) \(adminListed.stderr)")
        let closed = try await run(mctl, ["tunnels", "close", cliTCP], environment: env)
        #expect(closed.stdout.contains("Tunnel \(cliTCP) closed."), "\(closed.stdout) \(closed.stderr)")
        let bad = try await run(mctl, ["tunnels", "create", "--session", session, "--port", "0"], environment: env)
        #expect(bad.status != 0)
        _ = try await HTTP.send(.DELETE, server.baseURL + "/api/v1/sessions/\(session)", key: key)
    }
    /// Resident memory of a process in bytes (`VmRSS`).
    static func residentBytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb * 1024
    }

    /// 1 GiB up and 1 GiB down through an HTTP tunnel: the bodies stream (the server never holds
    /// them), so its resident memory grows by less than 64 MiB.
    /// Also the `OpenTunnelConnection` path: this server's agents keep no standby streams (as an
    /// older agent), so every connection is asked with the command.
    @Test func oneGiBEachWayWithFlatServerMemory() async throws {
        let server = try ServerProcess(environment: ["MARIONETTE_HEARTBEAT_INTERVAL": "1s", "MARIONETTE_TUNNELS_STANDBY_STREAMS": "0"])
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let base = "http://127.0.0.1:\(server.apiPort)"
        let httpPort = ServerProcess.freePort()
        let source = try Data(contentsOf: Self.scripts.appendingPathComponent("origins.py")).base64EncodedString()
        let session = try await FabricEndToEndTests.session(server, key: key)
        let task = try await FabricEndToEndTests.task(
            server, key: key, session: session,
            prompt: "echo \(source) | base64 -d > origins.py && exec \(Self.python) origins.py \(httpPort) \(ServerProcess.freePort())")
        _ = try await FabricEndToEndTests.waitForStatus(server, key: key, task: task, ["running"])
        let tunnel = try await Self.createTunnel(server, key: key, session: session, #"{"local_port":\#(httpPort),"public":true}"#)
        let url = "\(base)/tunnels/\(tunnel["id"] as? String ?? "")"
        let deadline = ContinuousClock.now + .seconds(30)
        while try await Self.curl(url + "/").status != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        // Warm up (first connections, buffers), then take the baseline.
        // Every transfer has a deadline: a stalled tunnel must fail this test, not hang the run.
        _ = try await run("/usr/bin/curl", ["-s", "--max-time", "60", "-o", "/dev/null", url + "/bytes/\(64 << 20)"])
        let pid = server.process.processIdentifier
        let baseline = Self.residentBytes(pid)
        let peak = Peak()
        let sampler = Task.detached {
            while !Task.isCancelled {
                peak.note(Self.residentBytes(pid))
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let gib = 1 << 30
        let started = ContinuousClock.now
        let down = try await run(
            "/usr/bin/curl", ["-s", "--max-time", "180", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url + "/bytes/\(gib)"])
        let downTime = ContinuousClock.now - started
        #expect(down.stdout == "200 \(gib)", "\(down.stdout) \(down.stderr)")
        // Upload a sparse 1 GiB file (no disk or memory behind it); `-T` streams it with its length.
        let blob = ServerProcess.tempDir("tun-gib") + "/gib"
        #expect(try await run("/usr/bin/truncate", ["-s", "\(gib)", blob]).status == 0)
        defer { try? FileManager.default.removeItem(atPath: blob) }
        let upStarted = ContinuousClock.now
        let up = try await run("/usr/bin/curl", ["-s", "--max-time", "180", "-X", "POST", "-H", "Expect:", "-T", blob, url + "/upload"])
        let upTime = ContinuousClock.now - upStarted
        sampler.cancel()
        let json = (try? JSONSerialization.jsonObject(with: Data(up.stdout.utf8))) as? [String: Any] ?? [:]
        #expect(json["length"] as? Int == gib, "\(up.stdout) \(up.stderr)")
        let growth = peak.value - baseline
        print("RESULT tunnel 1GiB download \(downTime), upload \(upTime); server RSS baseline \(baseline >> 20) MiB, peak \(peak.value >> 20) MiB, growth \(growth >> 20) MiB")
        #expect(baseline > 0)
        #expect(growth < 64 << 20, "server RSS grew by \(growth >> 20) MiB")
        let metrics = try await Self.metrics(server)
        #expect((metrics[#"marionette_tunnel_dials_total{via="command"}"#] ?? 0) >= 3, "\(metrics.filter { $0.key.contains("dials") })")
        #expect(metrics[#"marionette_tunnel_dials_total{via="standby"}"#] == 0)
        _ = try await HTTP.send(.DELETE, server.baseURL + "/api/v1/sessions/\(session)", key: key)
    }
}

/// The largest value seen, from any thread.
final class Peak: Sendable {
    private let box = Mutex(0)
    func note(_ value: Int) { box.withLock { $0 = max($0, value) } }
    var value: Int { box.withLock { $0 } }
}
