import Foundation
import Testing

/// TLS on every listener, and mTLS for runners (auth-security.md "TLS", runner-protocol.md §1), with
/// certificates from a throwaway CA made by the `openssl` command line.
@Suite(.serialized) struct TLSEndToEndTests {
    typealias Fabric = FabricEndToEndTests

    static func tlsEnvironment(_ pki: TestPKI) -> [String: String] {
        [
            "MARIONETTE_TLS_ENABLED": "true", "MARIONETTE_TLS_CERT_FILE": pki.serverCert,
            "MARIONETTE_TLS_KEY_FILE": pki.serverKey, "MARIONETTE_HEARTBEAT_INTERVAL": "1s",
        ]
    }

    static func mintRunnerToken(_ server: ServerProcess, ca: String, pool: String) async throws -> String {
        let password = try #require(server.adminPassword)
        let minted = try await run(
            "/usr/bin/curl", ["-s", "--cacert", ca, "-u", "admin:\(password)", "-X", "POST",
                              server.adminURL + "/admin/api/v1/runner-tokens", "-d", #"{"pool_name":"\#(pool)"}"#])
        return try #require(
            (try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any])?["raw_token"] as? String,
            "runner token: \(minted.stdout) \(minted.stderr)")
    }

    static func runnerStatus(_ server: ServerProcess, key: String, pool: String) async throws -> String? {
        let items = try await HTTP.get(server.baseURL + "/api/v1/runners?pool_name=\(pool)", key: key).json["items"] as? [[String: Any]]
        return items?.first?["status"] as? String
    }

    /// The pool's runner status once it is `idle`, or the last one seen after 20 s.
    static func waitForIdleRunner(_ server: ServerProcess, key: String, pool: String) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, try await runnerStatus(server, key: key, pool: pool) != "idle" {
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await runnerStatus(server, key: key, pool: pool)
    }

    @Test func everyListenerSpeaksTLSAndALocalRunnerWorksThroughIt() async throws {
        let pki = try TestPKI.shared.get()
        let server = try ServerProcess(environment: Self.tlsEnvironment(pki))
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        #expect(server.baseURL.hasPrefix("https://"))

        // Plaintext HTTP to the TLS port gets no HTTP answer; the admin port speaks TLS too.
        let plain = try await run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "http://127.0.0.1:\(server.apiPort)/health"])
        #expect(plain.stdout == "000")
        let admin = try await run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki.caCert, server.adminURL + "/health"])
        #expect(admin.stdout == "200")
        // The gRPC port refuses a plaintext HTTP/2 client.
        let h2c = try await run("/usr/bin/curl", ["-s", "--http2-prior-knowledge", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(server.ports.grpc)/"])
        #expect(h2c.stdout == "000")

        // The local provider's agent dials the TLS fabric; its task runs and its log arrives.
        let session = try await Fabric.session(server, key: key)
        let task = try await Fabric.task(server, key: key, session: session, prompt: "echo over-tls")
        let done = try await Fabric.waitForStatus(server, key: key, task: task, ["completed", "failed"])
        #expect(done["status"] as? String == "completed")
        let logs = try await HTTP.get(server.baseURL + "/api/v1/tasks/\(task)/logs", key: key)
        #expect(logs.body.contains("over-tls"))
    }

    @Test func mutualTLSAdmitsOnlyRunnersWithACertificateFromTheCA() async throws {
        let pki = try TestPKI.shared.get()
        var environment = Self.tlsEnvironment(pki)
        environment["MARIONETTE_TLS_VERIFY_CLIENT"] = "true"
        environment["MARIONETTE_TLS_CA_FILE"] = pki.caCert
        environment["MARIONETTE_PROVIDERS_DEFAULT"] = "none"
        let server = try ServerProcess(environment: environment)
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let base = ["--server", server.grpcAddress, "--data-port", "\(server.ports.data)", "--tls", "--tls-ca", pki.caCert]

        // Without a client certificate the handshake fails: the runner never comes online.
        let anonymous = try AgentProcess(base + ["--token", try await Self.mintRunnerToken(server, ca: pki.caCert, pool: "anon"), "--pool", "anon"])
        defer { anonymous.stop() }
        // With the CA-issued certificate it joins and runs a task.
        let trusted = try AgentProcess(
            base + ["--token", try await Self.mintRunnerToken(server, ca: pki.caCert, pool: "mtls"), "--pool", "mtls",
                    "--tls-cert", pki.clientCert, "--tls-key", pki.clientKey],
            environment: ["MARIONETTE_HEARTBEAT_INTERVAL": "1s"])
        defer { trusted.stop() }

        #expect(try await Self.waitForIdleRunner(server, key: key, pool: "mtls") == "idle", "agent log:\n\(trusted.log.suffix(3000))")
        #expect(try await Self.runnerStatus(server, key: key, pool: "anon") == nil, "agent log:\n\(anonymous.log.suffix(3000))")
        #expect(anonymous.process.isRunning, "a refused handshake is retried, not fatal")

        let session = try await Fabric.session(server, key: key)
        let task = try await Fabric.task(server, key: key, session: session, prompt: "echo over-mtls")
        let done = try await Fabric.waitForStatus(server, key: key, task: task, ["completed", "failed"])
        #expect(done["status"] as? String == "completed")
    }

    @Test func badCertificateFilesStopTheStartWithTheirNames() async throws {
        let pki = try TestPKI.shared.get()
        var environment = Self.tlsEnvironment(pki)
        environment["MARIONETTE_TLS_KEY_FILE"] = "/nonexistent/server.key"
        let server = try ServerProcess(environment: environment)
        defer { server.stopNow() }
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus != 0)
        #expect(server.log.contains("/nonexistent/server.key"))

        // verify_client without a CA is a configuration error, named as such.
        environment = Self.tlsEnvironment(pki)
        environment["MARIONETTE_TLS_VERIFY_CLIENT"] = "true"
        let noCA = try ServerProcess(environment: environment)
        defer { noCA.stopNow() }
        noCA.process.waitUntilExit()
        #expect(noCA.process.terminationStatus != 0)
        #expect(noCA.log.contains("tls.ca_file"))
    }

    /// The subject of the certificate a TLS port serves now (a new handshake).
    static func servedSubject(port: Int) async throws -> String {
        let handshake = try await run(
            "/bin/sh", ["-c", "openssl s_client -connect 127.0.0.1:\(port) -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -subject"])
        return handshake.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Replaces a file the way renewal tools do: written beside it, then renamed over it.
    static func replace(_ path: String, with source: String) throws {
        let temporary = path + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard rename(temporary, path) == 0 else { throw E2EError("rename \(temporary) → \(path): errno \(errno)") }
    }

    /// A renewed certificate is served on every listener without a restart, while a connected
    /// runner keeps its streams; files that do not load leave the last good pair in use.
    @Test func renewedCertificatesAreServedWithoutARestart() async throws {
        let pki = try TestPKI.shared.get()
        let dir = ServerProcess.tempDir("tls-reload")
        let certFile = dir + "/tls.pem", keyFile = dir + "/tls.key"
        try FileManager.default.copyItem(atPath: pki.serverCert, toPath: certFile)
        try FileManager.default.copyItem(atPath: pki.serverKey, toPath: keyFile)
        var environment = Self.tlsEnvironment(pki)
        environment["MARIONETTE_TLS_CERT_FILE"] = certFile
        environment["MARIONETTE_TLS_KEY_FILE"] = keyFile
        environment["MARIONETTE_TLS_RELOAD_INTERVAL_SECONDS"] = "1"
        environment["MARIONETTE_PROVIDERS_DEFAULT"] = "none"
        let server = try ServerProcess(environment: environment)
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let listeners = [("public", server.apiPort), ("admin", server.ports.admin), ("gRPC", server.ports.grpc), ("data", server.ports.data)]
        for (name, port) in listeners {
            #expect(try await Self.servedSubject(port: port).contains("CN = server"), "\(name) port before the renewal")
        }

        let runner = try AgentProcess(
            ["--server", server.grpcAddress, "--data-port", "\(server.ports.data)", "--tls", "--tls-ca", pki.caCert,
             "--token", try await Self.mintRunnerToken(server, ca: pki.caCert, pool: "steady"), "--pool", "steady"],
            environment: ["MARIONETTE_HEARTBEAT_INTERVAL": "1s"])
        defer { runner.stop() }
        #expect(try await Self.waitForIdleRunner(server, key: key, pool: "steady") == "idle", "\(runner.log)")

        // The key first, then the certificate: in between the pair does not match and is skipped.
        try Self.replace(keyFile, with: pki.renewedKey)
        try await Task.sleep(for: .milliseconds(1500))
        try Self.replace(certFile, with: pki.renewedCert)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, try await !Self.servedSubject(port: server.apiPort).contains("CN = renewed") {
            try await Task.sleep(for: .milliseconds(300))
        }
        for (name, port) in listeners {
            #expect(try await Self.servedSubject(port: port).contains("CN = renewed"), "\(name) port after the renewal")
        }
        #expect(server.log.contains("TLS certificate reloaded"), "\(server.log.suffix(3000))")
        #expect(server.log.contains("TLS certificate not reloaded"), "the mismatched pair in between: \(server.log.suffix(3000))")

        // The runner's streams were not dropped, and new requests work over the renewed certificate.
        #expect(!runner.log.contains("reconnecting"), "\(runner.log)")
        #expect(try await Self.runnerStatus(server, key: key, pool: "steady") == "idle")
        let health = try await run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki.caCert, server.adminURL + "/health"])
        #expect(health.stdout == "200")

        // A broken file is skipped; the renewed pair stays.
        try "not a certificate".write(toFile: certFile, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(2500))
        #expect(try await Self.servedSubject(port: server.apiPort).contains("CN = renewed"))
    }
}
