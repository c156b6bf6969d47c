import Foundation
import Testing

@Suite(.serialized) struct ServerEndToEndTests {
    @Test func startsOnTheEmbeddedDefaultAndBootstraps() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        #expect(key.hasPrefix("mk_"))
        for file in ["bootstrap-api-key", "admin-password", "encryption.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: server.dataDir + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) must be private")
        }
        #expect(FileManager.default.fileExists(atPath: server.dataDir + "/marionette.db"))
        // The log names the key file, never the key.
        #expect(server.log.contains("bootstrap-api-key"))
        #expect(!server.log.contains(key))
        let password = try #require(server.adminPassword)
        #expect(!server.log.contains(password))
        let kek = try String(contentsOfFile: server.dataDir + "/encryption.key", encoding: .utf8)
        #expect(!server.log.contains(kek.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Letters and digits only: a leading '-' would read as an option in `mctl --admin-password X`.
        #expect(password.count == 32 && password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(password)")

        let created = try await HTTP.send(.POST, server.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"command"}"#)
        #expect(created.status == 201)
        #expect(await server.stop() == 0, "SIGTERM is a graceful, successful stop")
    }

    @Test func dataSurvivesARestartAndASecondServerIsRefused() async throws {
        let first = try ServerProcess()
        try await first.waitUntilReady()
        let key = try #require(first.apiKey)
        let created = try await HTTP.send(.POST, first.baseURL + "/api/v1/sessions", key: key, json: #"{"agent":"command","name":"keep"}"#)
        let id = try #require(created.json["id"] as? String)

        let second = try ServerProcess(dataDir: first.dataDir, ports: ServerProcess.Ports())
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus != 0)
        #expect(second.log.contains("another marionette-server already uses"))
        await first.stop()

        let restarted = try ServerProcess(dataDir: first.dataDir)
        defer { restarted.stopNow() }
        try await restarted.waitUntilReady()
        #expect(restarted.apiKey == key, "bootstrap happens once")
        let fetched = try await HTTP.get(restarted.baseURL + "/api/v1/sessions/\(id)", key: key)
        #expect(fetched.json["name"] as? String == "keep")
    }

    @Test func adminCredentialsFromTheEnvironment() async throws {
        let server = try ServerProcess(environment: ["MARIONETTE_UI_USERNAME": "ops", "MARIONETTE_UI_PASSWORD": "s3cret-pass"])
        defer { server.stopNow() }
        try await server.waitUntilReady()
        #expect(server.adminPassword == nil, "no generated password when credentials are configured")
        let result = try await run("/usr/bin/curl", ["-s", "-u", "ops:s3cret-pass", server.adminURL + "/admin/api/v1/keys"])
        #expect(result.stdout.contains("\"total_count\":1") || result.stdout.contains("\"total_count\": 1"))
    }

    /// `MARIONETTE_ENCRYPTION_KEY` replaces the generated key file; an invalid one stops the start.
    @Test func encryptionKeyFromTheEnvironmentOrRefused() async throws {
        let hex = String(repeating: "ab", count: 32)
        let server = try ServerProcess(environment: ["MARIONETTE_ENCRYPTION_KEY": hex, "MARIONETTE_ENCRYPTION_KEY_ID": "ops-2026"])
        defer { server.stopNow() }
        try await server.waitUntilReady()
        #expect(!FileManager.default.fileExists(atPath: server.dataDir + "/encryption.key"), "no key file when the key is configured")
        let password = try #require(server.adminPassword)
        let created = try await run(
            "/usr/bin/curl",
            ["-s", "-u", "admin:\(password)", "-H", "Content-Type: application/json", "-d",
             #"{"name":"team","agent":"claude","api_key":"sk-ant-env-kek-test"}"#, server.adminURL + "/admin/api/v1/agent-configs"])
        #expect(created.stdout.contains("\"id\":\"acfg_"), "\(created.stdout)")
        #expect(!created.stdout.contains("sk-ant-env-kek-test"))
        #expect(!server.log.contains(hex))

        let bad = try ServerProcess(environment: ["MARIONETTE_ENCRYPTION_KEY": "0123456789abcdef-not-hex"])
        bad.process.waitUntilExit()
        #expect(bad.process.terminationStatus != 0)
        #expect(bad.log.contains("MARIONETTE_ENCRYPTION_KEY is invalid"), "\(bad.log)")
        #expect(!bad.log.contains("0123456789abcdef-not-hex"))
    }

    @Test func misconfigurationFailsWithAClearMessage() async throws {
        let only = try await run(
            ServerProcess.binary("marionette-server"), ["--data-dir", ServerProcess.tempDir("bad"), "--api-port", "8"],
            environment: ["MARIONETTE_UI_USERNAME": "x"])
        #expect(only.status != 0)
        #expect(only.stderr.contains("MARIONETTE_UI_PASSWORD"))
        let port = try await run(ServerProcess.binary("marionette-server"), ["--api-port", "70000"])
        #expect(port.status != 0)
        #expect(port.stderr.contains("server.api.port"))
    }
}
