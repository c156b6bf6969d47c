import Foundation
import Testing

/// `mctl` against a real server: the commands a newcomer runs in the README tour.
@Suite(.serialized) struct MctlEndToEndTests {
    static let mctl = ServerProcess.binary("mctl")

    @Test func tourCommandsWork() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let home = ServerProcess.tempDir("mctl-home")
        let env = ["MARIONETTE_API_URL": server.baseURL, "MARIONETTE_API_KEY": key, "HOME": home, "XDG_CONFIG_HOME": home]

        let created = try await run(Self.mctl, ["sessions", "create", "--agent", "command", "--name", "tour", "-o", "json"], environment: env)
        #expect(created.status == 0, "\(created.stderr) | \(created.stdout)")
        let session = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let sid = try #require(session["id"] as? String)
        #expect(session["status"] as? String == "pending")

        let list = try await run(Self.mctl, ["sessions", "list"], environment: env)
        #expect(list.status == 0)
        #expect(list.stdout.contains("ID"))
        #expect(list.stdout.contains("STATUS"))
        #expect(list.stdout.contains(sid))

        // Long enough to still be running when it is canceled below.
        let task = try await run(Self.mctl, ["tasks", "create", "--session", sid, "--prompt", "sleep 30", "-o", "json"], environment: env)
        #expect(task.status == 0, "\(task.stderr)")
        let tid = try #require((try JSONSerialization.jsonObject(with: Data(task.stdout.utf8)) as? [String: Any])?["id"] as? String)

        let yaml = try await run(Self.mctl, ["tasks", "get", tid, "-o", "yaml"], environment: env)
        #expect(yaml.stdout.contains("prompt: sleep 30"))
        let tasks = try await run(Self.mctl, ["tasks", "list", "--session", sid], environment: env)
        #expect(tasks.stdout.contains(tid))
        let cancel = try await run(Self.mctl, ["tasks", "cancel", tid], environment: env)
        #expect(cancel.stdout.contains("canceled"), "exit \(cancel.status): \(cancel.stdout) \(cancel.stderr)")

        let missing = try await run(Self.mctl, ["sessions", "get", "sess_AAAAAAAA00000000"], environment: env)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains(#"Error: session "sess_AAAAAAAA00000000" not found"#))
        #expect(!missing.stderr.contains("USAGE"))

        let terminated = try await run(Self.mctl, ["sessions", "terminate", sid, "--yes"], environment: env)
        #expect(terminated.status == 0)
        let after = try await HTTP.get(server.baseURL + "/api/v1/sessions/\(sid)", key: key)
        #expect(after.json["status"] as? String == "terminated")
    }

    @Test func contextsAndZeroConfigFallback() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let home = ServerProcess.tempDir("mctl-ctx")
        let env = ["HOME": home, "XDG_CONFIG_HOME": home]

        let none = try await run(Self.mctl, ["sessions", "list"], environment: env, cwd: home)
        #expect(none.status == 1)
        #expect(none.stderr.contains("Error:"))

        #expect(try await run(Self.mctl, ["config", "set-context", "e2e", "--server", server.baseURL, "--api-key", key],
                        environment: env).status == 0)
        #expect(try await run(Self.mctl, ["config", "use-context", "e2e"], environment: env).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: home + "/marionette/config.yaml")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let viaContext = try await run(Self.mctl, ["sessions", "list", "-o", "json"], environment: env, cwd: home)
        #expect(viaContext.status == 0, "\(viaContext.stderr)")
        #expect(viaContext.stdout.contains("\"items\""))
        let view = try await run(Self.mctl, ["config", "view"], environment: env)
        #expect(!view.stdout.contains(key))

        // Zero-config: run from a directory whose ./.marionette holds the server's bootstrap key,
        // against a server on the default port is not possible here, so point only the URL at it.
        let work = ServerProcess.tempDir("mctl-zero")
        try FileManager.default.createDirectory(atPath: work + "/.marionette", withIntermediateDirectories: true)
        try key.write(toFile: work + "/.marionette/bootstrap-api-key", atomically: true, encoding: .utf8)
        let zero = try await run(Self.mctl, ["-s", server.baseURL, "runners", "list"], environment: ["HOME": work, "XDG_CONFIG_HOME": work], cwd: work)
        #expect(zero.status == 0, "\(zero.stderr)")
        #expect(zero.stdout.contains("No runners found") || zero.stdout.contains("ID"))
    }

    @Test func adminKeysWithTheGeneratedPassword() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let password = try #require(server.adminPassword)
        let env = ["HOME": ServerProcess.tempDir("mctl-admin"), "MARIONETTE_API_URL": server.baseURL]
        let created = try await run(
            Self.mctl,
            ["admin", "keys", "create", "--name", "ci", "--scope", "tasks:*", "--admin-server", server.adminURL,
             "--admin-username", "admin", "--admin-password", password],
            environment: env)
        #expect(created.status == 0, "\(created.stderr) | \(created.stdout)")
        #expect(created.stdout.contains("mk_"))
        let list = try await run(
            Self.mctl,
            ["admin", "keys", "list", "--admin-server", server.adminURL, "--admin-username", "admin",
             "--admin-password", password],
            environment: env)
        #expect(list.stdout.contains("ci"))
        #expect(list.stdout.contains("bootstrap"))
        let denied = try await run(
            Self.mctl,
            ["admin", "keys", "list", "--admin-server", server.adminURL, "--admin-username", "admin",
             "--admin-password", "wrong"],
            environment: env)
        #expect(denied.status == 1)
    }

    /// `mctl admin webhooks`, `webhook-events` and `audit-logs` against a real server: private URLs
    /// are refused by default, the secret is printed once, and the audit log shows the changes.
    @Test func adminWebhooksAndAuditLogs() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let password = try #require(server.adminPassword)
        let env = ["HOME": ServerProcess.tempDir("mctl-webhooks"), "MARIONETTE_API_URL": server.baseURL]
        let admin = ["--admin-server", server.adminURL, "--admin-username", "admin", "--admin-password", password]
        let refused = try await run(
            Self.mctl, ["admin", "webhooks", "create", "--name", "local", "--url", "http://127.0.0.1:9/hook", "--event", "task.*"] + admin,
            environment: env)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("private") || refused.stderr.contains("loopback"), "\(refused.stderr) | \(refused.stdout)")
        let created = try await run(
            Self.mctl,
            ["admin", "webhooks", "create", "--name", "public", "--url", "http://93.184.216.34/hook", "--event", "task.*",
             "--event", "session", "--retry-delay", "30s", "--header", "X-Team=docs", "-o", "json"] + admin,
            environment: env)
        #expect(created.status == 0, "\(created.stderr) | \(created.stdout)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        #expect((body["secret"] as? String)?.count == 64)
        let hook = try #require(body["webhook"] as? [String: Any])
        let hookID = try #require(hook["id"] as? String)
        #expect(hook["retry_delay_seconds"] as? Int == 30)
        let list = try await run(Self.mctl, ["admin", "webhooks", "list"] + admin, environment: env)
        #expect(list.status == 0 && list.stdout.contains(hookID) && list.stdout.contains("task.*,session"), "\(list.stdout)")
        let updated = try await run(Self.mctl, ["admin", "webhooks", "update", hookID, "--active", "false"] + admin, environment: env)
        #expect(updated.status == 0 && updated.stdout.contains("Active:") && updated.stdout.contains("no"), "\(updated.stdout)")
        let events = try await run(Self.mctl, ["admin", "webhook-events", "list", "--status", "failed"] + admin, environment: env)
        #expect(events.status == 0, "\(events.stderr)")
        let audit = try await run(Self.mctl, ["admin", "audit-logs", "list", "--action-prefix", "config."] + admin, environment: env)
        #expect(audit.status == 0 && audit.stdout.contains("config.created") && audit.stdout.contains("config.updated"), "\(audit.stdout)")
        #expect(audit.stdout.contains("user:admin"))
        let deleted = try await run(Self.mctl, ["admin", "webhooks", "delete", hookID] + admin, environment: env)
        #expect(deleted.status == 0)
        let bad = try await run(Self.mctl, ["admin", "audit-logs", "list", "--actor-type", "robot"] + admin, environment: env)
        #expect(bad.status != 0)
        // `mctl admin status`: the services of /api/status as a table; the database and both API
        // listeners of this running server are up.
        let status = try await run(Self.mctl, ["admin", "status"] + admin, environment: env)
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["NAME", "PORT", "STATUS", "MESSAGE"], "\(status.stdout)")
        #expect(lines.contains { $0.first == "Database" && $0.contains("ok") }, "\(status.stdout)")
        #expect(lines.contains { $0.prefix(2) == ["Public", "API"] && $0.contains("ok") }, "\(status.stdout)")
        #expect(lines.contains { $0.prefix(2) == ["Admin", "API"] && $0.contains("ok") }, "\(status.stdout)")
    }

    /// `mctl admin provider-configs` and `admin profiles` against a real server: JSON flags inline
    /// and from files, the built-ins read-only, clear errors for bad input.
    @Test func adminProviderConfigsAndProfiles() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let password = try #require(server.adminPassword)
        let home = ServerProcess.tempDir("mctl-profiles")
        let env = ["HOME": home, "XDG_CONFIG_HOME": home, "MARIONETTE_API_URL": server.baseURL]
        let admin = ["--admin-server", server.adminURL, "--admin-username", "admin", "--admin-password", password]
        try #"{"image":"marionette/runner:1"}"#.write(toFile: home + "/docker.json", atomically: true, encoding: .utf8)
        try "set -e\nnpm ci\n".write(toFile: home + "/init.sh", atomically: true, encoding: .utf8)

        let created = try await run(
            Self.mctl,
            ["admin", "provider-configs", "create", "--name", "docker-main", "--provider", "docker", "--config", "@" + home + "/docker.json",
             "--suspend-config", #"{"strategy":"pause","max_duration":"2h"}"#, "--default", "--label", "team=infra", "-o", "json"] + admin,
            environment: env)
        #expect(created.status == 0, "\(created.stderr) | \(created.stdout)")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let configID = try #require(config["id"] as? String)
        #expect((config["config"] as? [String: Any])?["image"] as? String == "marionette/runner:1")
        #expect(config["is_default"] as? Bool == true)

        let unknown = try await run(Self.mctl, ["admin", "provider-configs", "create", "--name", "x", "--provider", "vmware"] + admin, environment: env)
        #expect(unknown.status != 0 && unknown.stderr.contains("--provider"), "\(unknown.stderr)")
        let notObject = try await run(
            Self.mctl, ["admin", "provider-configs", "create", "--name", "x", "--provider", "docker", "--config", "[1]"] + admin, environment: env)
        #expect(notObject.status == 1 && notObject.stderr.contains("--config must be a JSON object"), "\(notObject.stderr)")
        let nothing = try await run(Self.mctl, ["admin", "provider-configs", "update", configID] + admin, environment: env)
        #expect(nothing.status != 0 && nothing.stderr.contains("no updates specified"), "\(nothing.stderr)")
        let renamed = try await run(
            Self.mctl, ["admin", "provider-configs", "update", configID, "--name", "docker-prod", "--default", "false"] + admin, environment: env)
        #expect(renamed.status == 0 && renamed.stdout.contains("docker-prod") && renamed.stdout.contains("Default: no"), "\(renamed.stderr)")
        let configs = try await run(Self.mctl, ["admin", "provider-configs", "list", "--provider", "docker"] + admin, environment: env)
        #expect(configs.stdout.contains(configID) && configs.stdout.contains("PROVIDER"), "\(configs.stdout)")

        let profile = try await run(
            Self.mctl,
            ["admin", "profiles", "create", "--name", "frontend", "--provider-config-id", configID, "--resources", #"{"cpus":2,"memory_mb":4096}"#,
             "--tunnels", #"[{"type":"http","local_port":5173}]"#, "--init-script", "@" + home + "/init.sh", "--label", "team=web",
             "-o", "json"] + admin,
            environment: env)
        #expect(profile.status == 0, "\(profile.stderr) | \(profile.stdout)")
        let made = try #require(try JSONSerialization.jsonObject(with: Data(profile.stdout.utf8)) as? [String: Any])
        let profileID = try #require(made["id"] as? String)
        #expect(made["init_script"] as? String == "set -e\nnpm ci\n")
        #expect((made["tunnels"] as? [[String: Any]])?.first?["local_port"] as? Int == 5173)

        let typo = try await run(Self.mctl, ["admin", "profiles", "create", "--name", "t", "--resources", #"{"memory":1}"#] + admin, environment: env)
        #expect(typo.status == 1 && typo.stderr.contains("memory_mb"), "\(typo.stderr)")
        let mine = try await run(Self.mctl, ["admin", "profiles", "list", "--label", "team=web"] + admin, environment: env)
        #expect(mine.stdout.contains(profileID) && !mine.stdout.contains("dev-small"), "\(mine.stdout)")
        let all = try await run(Self.mctl, ["admin", "profiles", "list", "--include-builtin", "-o", "json"] + admin, environment: env)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
        #expect(listed["total_count"] as? Int == 8, "\(all.stdout)")
        let builtin = try await run(Self.mctl, ["admin", "profiles", "get", "prof_builtin_secure"] + admin, environment: env)
        #expect(builtin.status == 0 && builtin.stdout.contains("air_gapped") && builtin.stdout.contains("Built-in: yes"), "\(builtin.stdout)")
        let readOnly = try await run(Self.mctl, ["admin", "profiles", "update", "prof_builtin_secure", "--description", "x"] + admin, environment: env)
        #expect(readOnly.status == 1 && readOnly.stderr.contains("read-only"), "\(readOnly.stderr)")
        let cleared = try await run(
            Self.mctl, ["admin", "profiles", "update", profileID, "--provider-config-id", "", "-o", "json"] + admin, environment: env)
        #expect(cleared.status == 0 && !cleared.stdout.contains("provider_config_id"), "\(cleared.stderr) | \(cleared.stdout)")

        #expect(try await run(Self.mctl, ["admin", "profiles", "delete", profileID] + admin, environment: env).status == 0)
        let gone = try await run(Self.mctl, ["admin", "profiles", "get", profileID] + admin, environment: env)
        #expect(gone.status == 1 && gone.stderr.contains("not found"), "\(gone.stderr)")
        #expect(try await run(Self.mctl, ["admin", "provider-configs", "delete", configID] + admin, environment: env).status == 0)
    }

    /// `mctl admin runners` against a real server and a real external runner: the admin fields,
    /// and `destroy` ending the runner's connection, record and token (it cannot come back).
    @Test func adminRunnersListAndDestroy() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let password = try #require(server.adminPassword)
        let home = ServerProcess.tempDir("mctl-runners")
        let env = ["HOME": home, "XDG_CONFIG_HOME": home, "MARIONETTE_API_URL": server.baseURL]
        let admin = ["--admin-server", server.adminURL, "--admin-username", "admin", "--admin-password", password]
        let minted = try await run(Self.mctl, ["admin", "runner-tokens", "create", "--pool-name", "ci", "-o", "json"] + admin, environment: env)
        let token = try #require(
            (try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any])?["raw_token"] as? String, "\(minted.stderr)")
        let agent = try AgentProcess(
            ["--server", server.grpcAddress, "--data-port", "\(server.ports.data)", "--token", token, "--name", "ext-1", "--pool", "ci"])
        defer { agent.stop() }

        var runner: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let listed = try await run(Self.mctl, ["admin", "runners", "list", "--status", "idle,busy", "--pool-name", "ci", "-o", "json"] + admin, environment: env)
            runner = ((try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["items"] as? [[String: Any]])?.first ?? [:]
            if runner["status"] as? String == "idle" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let runnerID = try #require(runner["id"] as? String, "the runner never became idle; agent log: \(agent.log)")
        #expect(runner["name"] as? String == "ext-1")
        let table = try await run(Self.mctl, ["admin", "runners", "list"] + admin, environment: env)
        #expect(table.stdout.contains(runnerID) && table.stdout.contains("STATUS"), "\(table.stdout)")
        let shown = try await run(Self.mctl, ["admin", "runners", "get", runnerID] + admin, environment: env)
        #expect(shown.status == 0 && shown.stdout.contains("Pool: ci"), "\(shown.stdout)")
        let badStatus = try await run(Self.mctl, ["admin", "runners", "list", "--status", "asleep"] + admin, environment: env)
        #expect(badStatus.status != 0 && badStatus.stderr.contains("--status"), "\(badStatus.stderr)")

        let destroyed = try await run(Self.mctl, ["admin", "runners", "destroy", runnerID, "--yes"] + admin, environment: env)
        #expect(destroyed.status == 0 && destroyed.stdout.contains("destroyed"), "\(destroyed.stderr)")
        let gone = try await run(Self.mctl, ["admin", "runners", "get", runnerID] + admin, environment: env)
        #expect(gone.status == 1 && gone.stderr.contains("not found"), "\(gone.stderr)")
        // The agent's token went with the runner: its reconnect is refused and no runner reappears.
        let refusedBy = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < refusedBy, !agent.log.contains("runner token not recognised") {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(agent.log.contains("runner token not recognised"), "\(agent.log)")
        let after = try await run(Self.mctl, ["admin", "runners", "list", "-o", "json"] + admin, environment: env)
        #expect((try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])?["total_count"] as? Int == 0, "\(after.stdout)")
    }
}
