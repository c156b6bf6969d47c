import Core
import Foundation
import Testing

@testable import Orchestrator

/// Provider configs and profiles (data-model.md §3.1, §3.3) through their services, on both engines.
@Suite struct ProviderConfigProfileTests {
    static func request(_ json: String) throws -> ProviderConfigRequest {
        try JSONDecoder().decode(ProviderConfigRequest.self, from: Data(json.utf8))
    }

    static func profile(_ json: String) throws -> ProfileRequest {
        try JSONDecoder().decode(ProfileRequest.self, from: Data(json.utf8))
    }

    @Test(arguments: Engine.allCases)
    func providerConfigsKeepOneDefaultPerProviderAndAFixedProvider(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = ProviderConfigService(store: store)
            let first = try await service.create(
                try Self.request(
                    #"{"name":"docker-a","provider":"docker","config":{"image":"marionette/runner:1","network":"mnet"},"suspend_config":{"strategy":"pause","max_duration":"2h"},"is_default":true,"labels":{"team":"infra"}}"#))
            #expect(first.id.hasPrefix("pcfg_") && first.isDefault && first.provider == "docker")
            #expect(first.config["image"] == .string("marionette/runner:1"))
            #expect(first.suspendConfig["max_duration"] == .string("2h"))
            let second = try await service.create(try Self.request(#"{"name":"docker-b","provider":"docker","is_default":true}"#))
            #expect(second.isDefault)
            #expect(try await service.get(first.id).isDefault == false, "the new default takes over")
            let pool = try await service.create(try Self.request(#"{"name":"pool","provider":"pool","is_default":true}"#))
            #expect(try await service.get(second.id).isDefault, "defaults are per provider")

            // PUT changes only what it names; the provider is fixed.
            let renamed = try await service.update(first.id, try Self.request(#"{"name":"docker-main","is_default":true}"#))
            #expect(renamed.name == "docker-main" && renamed.isDefault && renamed.config == first.config)
            #expect(try await service.get(second.id).isDefault == false)
            await #expect(throws: APIError.validation("provider cannot change; create another provider config", field: "provider")) {
                try await service.update(first.id, try Self.request(#"{"provider":"kubernetes"}"#))
            }
            await #expect(throws: APIError.conflict("name_exists", "a provider config named \"pool\" exists; choose another name")) {
                try await service.update(first.id, try Self.request(#"{"name":"pool"}"#))
            }

            let docker = try await store.providerConfigs(provider: "docker", labels: [:], page: PageRequest())
            #expect(Set(docker.items.map(\.id)) == [first.id, second.id])
            #expect(try await store.providerConfigs(provider: nil, labels: ["team": "infra"], page: PageRequest()).items.map(\.id) == [first.id])
            let page = try await store.providerConfigs(provider: nil, labels: [:], page: PageRequest(limit: 2))
            #expect(page.items.count == 2 && page.hasMore && page.totalCount == 3)

            // Deleting a config leaves the profiles that named it, without it.
            let profiles = ProfileService(store: store)
            let dev = try await profiles.create(try Self.profile(#"{"name":"dev","provider_config_id":"\#(pool.id)"}"#))
            try await service.delete(pool.id)
            #expect(try await store.providerConfig(pool.id) == nil)
            #expect(try await profiles.get(dev.id).providerConfigID == nil)
            await #expect(throws: APIError.notFound("provider config", pool.id)) { try await service.delete(pool.id) }

            let audit = try await store.database.read(.system) { db in
                try await db.query("SELECT action FROM action_logs WHERE resource_type = 'provider_config' ORDER BY created_at", [])
            }
            #expect(audit.compactMap { $0.string("action") }.filter { $0 == "config.created" }.count == 3)
            #expect(audit.contains { $0.string("action") == "config.deleted" })
        }
    }

    @Test(arguments: Engine.allCases)
    func builtinProfilesAreListedOnRequestAndReadOnly(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = ProfileService(store: store)
            let builtins = try await store.profiles(providerConfigID: nil, includeBuiltin: true, labels: [:], page: PageRequest(limit: 100))
            #expect(
                Set(builtins.items.map(\.name)) == ["dev-small", "dev-medium", "dev-large", "ml-gpu", "web-dev", "android-dev", "secure"])
            let small = try await service.get("prof_builtin_dev-small")
            #expect(small.isBuiltin && small.resources["cpus"] == .int(2) && small.resources["memory_mb"] == .int(4096))
            #expect(small.network["level"] == .string("allow_list"))
            #expect(try await service.get("prof_builtin_secure").network["level"] == .string("air_gapped"))
            #expect(try await service.get("prof_builtin_web-dev").tunnels == [.object(["type": .string("desktop")])])

            let readOnly = APIError.invalidState("profile \(small.id) is built in and read-only; create a profile of your own instead")
            #expect(readOnly.status == 409 && readOnly.code == "invalid_state")
            await #expect(throws: readOnly) { try await service.update(small.id, try Self.profile(#"{"description":"mine"}"#)) }
            await #expect(throws: readOnly) { try await service.delete(small.id) }
            // A built-in's name is taken for everyone.
            await #expect(throws: APIError.conflict("name_exists", "a profile named \"dev-small\" exists; choose another name")) {
                try await service.create(try Self.profile(#"{"name":"dev-small"}"#))
            }
            let none = try await store.profiles(providerConfigID: nil, includeBuiltin: false, labels: [:], page: PageRequest())
            #expect(none.items.isEmpty && none.totalCount == 0)
        }
    }

    @Test(arguments: Engine.allCases)
    func profilesStoreEveryFieldAndUpdatePartially(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let configs = ProviderConfigService(store: store)
            let k8s = try await configs.create(try Self.request(#"{"name":"k8s","provider":"kubernetes"}"#))
            let service = ProfileService(store: store)
            let created = try await service.create(
                try Self.profile(
                    #"""
                    {"name":"web","description":"Web work","provider_config_id":"\#(k8s.id)",
                     "resources":{"cpus":1.5,"memory_mb":2048,"disk_mb":10240,"gpus":0},
                     "network":{"level":"allow_list","allowed_hosts":["github.com"],"allowed_ports":[443]},
                     "init_script":"npm ci","cleanup_script":"rm -rf node_modules",
                     "tunnels":[{"type":"http","local_port":3000,"public":false},{"type":"desktop"}],
                     "selector":{"os":"linux","arch":"amd64","capabilities":["agent.claude"]},
                     "labels":{"team":"web"},"annotations":{"owner":"ana"}}
                    """#))
            #expect(created.id.hasPrefix("prof_") && !created.isBuiltin)
            #expect(created.resources["cpus"] == .double(1.5) && created.initScript == "npm ci")
            #expect(created.tunnels.count == 2 && created.selector["capabilities"] == .array([.string("agent.claude")]))
            #expect(try await service.get(created.id) == created)

            let updated = try await service.update(created.id, try Self.profile(#"{"description":"","init_script":"make","provider_config_id":""}"#))
            #expect(updated.description == nil && updated.initScript == "make" && updated.providerConfigID == nil)
            #expect(updated.cleanupScript == "rm -rf node_modules" && updated.resources == created.resources)

            let byConfig = try await store.profiles(providerConfigID: k8s.id, includeBuiltin: true, labels: [:], page: PageRequest())
            #expect(byConfig.items.isEmpty)
            let byLabel = try await store.profiles(providerConfigID: nil, includeBuiltin: true, labels: ["team": "web"], page: PageRequest())
            #expect(byLabel.items.map(\.id) == [created.id])

            await #expect(throws: APIError.validation("provider config \"pcfg_AbCdEfGh12345678\" not found", field: "provider_config_id")) {
                try await service.update(created.id, try Self.profile(#"{"provider_config_id":"pcfg_AbCdEfGh12345678"}"#))
            }
            try await service.delete(created.id)
            await #expect(throws: APIError.notFound("profile", created.id)) { try await service.get(created.id) }
        }
    }

    @Test func suspendConfigRules() throws {
        try SuspendConfigRules.validate([:])
        try SuspendConfigRules.validate([
            "strategy": .string("release_to_pool"), "fallback": .string("terminate"), "min_duration": .int(60),
            "max_duration": .string("1h30m"), "save_snapshot": .bool(false), "sync_workspace": .bool(true),
        ])
        #expect(SuspendConfigRules.seconds("1h30m") == 5400 && SuspendConfigRules.seconds("500ms") == 0.5)
        #expect(SuspendConfigRules.seconds("5x") == nil && SuspendConfigRules.seconds("") == nil && SuspendConfigRules.seconds("m") == nil)
        let refused: [[String: JSONAnyValue]] = [
            ["strategy": .string("hibernate")], ["fallback": .int(1)], ["save_snapshot": .string("yes")],
            ["min_duration": .int(-1)], ["max_duration": .string("forever")],
            ["min_duration": .string("2h"), "max_duration": .string("1h")], ["strategey": .string("pause")],
        ]
        for config in refused {
            #expect(throws: APIError.self, "\(config)") { try SuspendConfigRules.validate(config) }
        }
    }

    @Test func profileRules() throws {
        try ProfileRules.resources(["cpus": .double(0.5), "memory_mb": .int(512), "disk_mb": .int(1024), "gpus": .int(1)])
        for resources: [String: JSONAnyValue] in [
            ["memory": .int(4096)], ["cpus": .int(0)], ["memory_mb": .double(1.5)], ["gpus": .int(-1)], ["disk_mb": .string("10")],
        ] {
            #expect(throws: APIError.self, "\(resources)") { try ProfileRules.resources(resources) }
        }
        try ProfileRules.network(["level": .string("proxy"), "allowed_hosts": .array([.string("*.npmjs.org")])])
        for network: [String: JSONAnyValue] in [
            ["level": .string("open")], ["level": .string("allow_list"), "allowed_hosts": .array([.string("*.npmjs.org")])],
            ["allowed_ports": .array([.int(0)])], ["allowed_hosts": .string("github.com")], ["hosts": .array([])],
        ] {
            #expect(throws: APIError.self, "\(network)") { try ProfileRules.network(network) }
        }
        try ProfileRules.tunnels([.object(["type": .string("tcp"), "local_port": .int(22)]), .object(["type": .string("android")])])
        for tunnels: [JSONAnyValue] in [
            [.object(["type": .string("http")])], [.object(["type": .string("ftp"), "local_port": .int(21)])], [.string("http")],
            Array(repeating: .object(["type": .string("desktop")]), count: 33),
        ] {
            #expect(throws: APIError.self) { try ProfileRules.tunnels(tunnels) }
        }
        try ProfileRules.selector(["os": .string("linux"), "capabilities": .array([.string("tunnel.data.v1")])])
        #expect(throws: APIError.self) { try ProfileRules.selector(["os": .int(1)]) }
        #expect(throws: APIError.self) { try ProfileRules.selector(["region": .string("eu")]) }
        #expect(throws: APIError.self) { try ProfileRules.script(String(repeating: "x", count: 65 << 10), field: "init_script") }
    }
}
