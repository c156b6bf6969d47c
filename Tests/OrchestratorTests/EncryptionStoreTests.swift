import Core
import Crypto
import Foundation
import Testing

@testable import Orchestrator

/// Encryption at rest against both engines (auth-security.md §6): data keys in `data_keys`,
/// managed agent keys sealed per config, webhook secrets sealed with the tenant `secrets/v1` key,
/// and rows from before migration 0005 kept working and sealed at start.
@Suite struct EncryptionStoreTests {
    static let kek = try! KeyEncryptionKey(hex: EncryptionPrimitivesTests.hex, id: "test-kek")

    @Test(arguments: Engine.allCases)
    func dataKeysAreCreatedOnceSealedByTheKEKAndAdoptedByOtherProcesses(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            // Two keyrings on one store stand for two server processes racing for the same keys.
            let a = DataKeys(kek: Self.kek, store: store)
            let b = DataKeys(kek: Self.kek, store: store)
            let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for ring in [a, b, a, b, a, b] {
                    group.addTask { try await ring.dataKey(resourceType: "tenant", resourceID: "_", tenantID: nil).key.withUnsafeBytes { Array($0) } }
                }
                var all: [[UInt8]] = []
                for try await key in group { all.append(key) }
                return all
            }
            #expect(Set(keys).count == 1, "every caller got the one key")
            let rows = try await store.database.read(.system) { db in
                try await db.query("SELECT id, dek_encrypted, kek_id, algorithm FROM data_keys", [])
            }
            #expect(rows.count == 1)
            #expect(rows.first?.string("kek_id") == "test-kek")
            #expect(rows.first?.string("algorithm") == "AES-256-GCM")
            let sealed = try #require(Data(base64Encoded: rows.first?.string("dek_encrypted") ?? ""))
            #expect(try SealedEnvelope.open(sealed, key: Self.kek.key, slot: "tenant:_") == keys[0])

            // Another KEK cannot open it and says which key sealed it.
            let other = DataKeys(kek: try KeyEncryptionKey(hex: KeyEncryptionKey.generateHex(), id: "other"), store: store)
            await #expect(throws: EncryptionError.kekMismatch(dataKeyID: rows.first?.string("id") ?? "", storedKEK: "test-kek", configuredKEK: "other")) {
                try await other.tenantKey(nil, purpose: .secrets)
            }
            // Purpose keys differ from each other and from the DEK.
            let secrets = try await a.tenantKey(nil, purpose: .secrets).key.withUnsafeBytes { Array($0) }
            let cas = try await a.tenantKey(nil, purpose: .cas).key.withUnsafeBytes { Array($0) }
            #expect(secrets != cas && secrets != keys[0])
            // Tenants have their own keys.
            let tenant = try await a.dataKey(resourceType: "tenant", resourceID: "t1", tenantID: "t1").key.withUnsafeBytes { Array($0) }
            #expect(tenant != keys[0])
            try await a.destroy(resourceType: "tenant", resourceID: "t1")
            #expect(try await store.dataKey(resourceType: "tenant", resourceID: "t1") == nil)
        }
    }

    @Test(arguments: Engine.allCases)
    func managedKeysAreSealedPerConfigAndNeverInTheRecord(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let keys = DataKeys(kek: Self.kek, store: store)
            let service = AgentConfigService(store: store, dataKeys: keys)
            let secret = "sk-ant-managed-" + UUID().uuidString
            var request = AgentConfigRequest()
            request.name = "team-claude"
            request.agent = "claude"
            request.apiKey = secret
            request.model = "claude-sonnet-4-5"
            request.extra = ["system_prompt": .string("Be brief"), "max_turns": .int(5), "allowed_tools": .array([.string("Bash")])]
            request.isDefault = true
            let config = try await service.create(request)
            #expect(config.agent == "claude" && config.isDefault && config.model == "claude-sonnet-4-5")
            #expect(config.extra["max_turns"] == .int(5))
            let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
            #expect(!json.contains(secret) && !json.contains("api_key"), "\(json)")

            // Stored sealed, bound to the config, under the config's own data key.
            let stored = try #require(try await store.agentConfigSealedKey(config.id))
            #expect(!stored.sealed.contains(secret))
            #expect(try await store.dataKey(resourceType: "agent_config", resourceID: config.id) != nil)
            #expect(try await service.apiKey(configID: config.id) == secret)
            let tenantKey = try await keys.dataKey(resourceType: "tenant", resourceID: "_", tenantID: nil).key
            #expect(throws: EncryptionError.self) { try SealedEnvelope.openText(stored.sealed, key: tenantKey, slot: "agent_config:\(config.id)") }

            // Settings for the runner keep working; the extra map is flattened to strings.
            let settings = try #require(try await store.agentConfigSettings(config.id))
            #expect(settings.extra["system_prompt"] == "Be brief" && settings.extra["max_turns"] == "5")

            // A second default for the same agent takes over; names are unique.
            request.name = "team-claude-2"
            request.apiKey = "sk-ant-second"
            let second = try await service.create(request)
            #expect(second.isDefault)
            #expect(try await service.get(config.id).isDefault == false)
            await #expect(throws: APIError.conflict("name_exists", "an agent config named \"team-claude-2\" exists; choose another name")) {
                try await service.create(request)
            }

            // Update: the key is replaced and still sealed; other fields as given.
            var update = AgentConfigRequest()
            update.apiKey = secret + "-rotated"
            update.model = "claude-opus-4"
            let updated = try await service.update(config.id, update)
            #expect(updated.model == "claude-opus-4" && updated.name == "team-claude")
            #expect(try await service.apiKey(configID: config.id) == secret + "-rotated")
            var changeAgent = AgentConfigRequest()
            changeAgent.agent = "codex"
            await #expect(throws: APIError.self) { try await service.update(config.id, changeAgent) }

            // Listing filters by agent.
            #expect(try await store.agentConfigs(agent: "claude", labels: [:], page: PageRequest()).items.count == 2)
            #expect(try await store.agentConfigs(agent: "codex", labels: [:], page: PageRequest()).items.isEmpty)

            // Audit rows name the config, never its key.
            let audits = try await store.actionLogs(ActionLogFilter(), page: PageRequest(limit: 100)).items
            #expect(audits.contains { $0.action == "config.created" && $0.resourceID == config.id })
            let auditText = String(decoding: try JSONEncoder().encode(audits), as: UTF8.self)
            #expect(!auditText.contains(secret) && !auditText.contains("api_key"), "\(auditText)")

            // Delete removes the config and its data key.
            try await service.delete(config.id)
            #expect(try await store.agentConfig(config.id) == nil)
            #expect(try await store.dataKey(resourceType: "agent_config", resourceID: config.id) == nil)
            await #expect(throws: APIError.notFound("agent config", config.id)) { try await service.delete(config.id) }
        }
    }

    @Test(arguments: Engine.allCases)
    func withoutAKeyManagedConfigsAndWebhooksAreUnavailable(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            var request = AgentConfigRequest()
            request.name = "x"
            request.agent = "claude"
            request.apiKey = "sk-x"
            await #expect(throws: APIError.serviceUnavailable("encryption key not configured")) {
                try await AgentConfigService(store: store, dataKeys: nil).create(request)
            }
            var settings = ServerConfig.Webhooks()
            settings.allowPrivate = true
            var hook = WebhookRequest()
            hook.name = "h"
            hook.url = "http://127.0.0.1:9/x"
            hook.events = ["*"]
            await #expect(throws: APIError.serviceUnavailable("encryption key not configured")) {
                try await WebhookService(store: store, settings: settings, dataKeys: nil).create(hook)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func sessionsNamingNeitherKeyNorConfigUseTheAgentsDefault(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let configs = AgentConfigService(store: store, dataKeys: DataKeys(kek: Self.kek, store: store))
            var request = AgentConfigRequest()
            request.name = "default-claude"
            request.agent = "claude"
            request.apiKey = "sk-default"
            request.isDefault = true
            let config = try await configs.create(request)
            let sessions = SessionService(store: store)
            #expect(try await sessions.create(CreateSessionRequest(agent: "claude"), scope: .single).agentConfigID == config.id)
            #expect(try await sessions.create(CreateSessionRequest(agent: "codex"), scope: .single).agentConfigID == nil)
            var byok = CreateSessionRequest(agent: "claude")
            byok.apiKey = "sk-byok"
            let byokSession = try await sessions.create(byok, scope: .single)
            #expect(byokSession.agentConfigID == nil && byokSession.isBYOK)
        }
    }

    @Test(arguments: Engine.allCases)
    func webhookSecretsAreHashedSealedAndOpenedForDelivery(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            var settings = ServerConfig.Webhooks()
            settings.allowPrivate = true
            let keys = DataKeys(kek: Self.kek, store: store)
            let service = WebhookService(store: store, settings: settings, dataKeys: keys)
            var request = WebhookRequest()
            request.name = "h"
            request.url = "http://127.0.0.1:9/x"
            request.events = ["*"]
            let created = try await service.create(request)
            let row = try #require(
                try await store.database.read(.system) { db in
                    try await db.first("SELECT * FROM webhooks WHERE id = ?", [.text(created.webhook.id)])
                })
            #expect(row.string("secret_hash") == Hex.encode(SHA256.hash(data: Array(created.secret.utf8))))
            #expect(row.string("secret_prefix") == String(created.secret.prefix(8)))
            #expect(row.string("secret_legacy") == nil)
            let sealed = try #require(row.string("secret_encrypted"))
            #expect(!sealed.contains(created.secret))
            let opened = try await WebhookSecrets(keys: keys).open(.sealed(sealed, tenantID: nil), webhookID: created.webhook.id)
            #expect(opened == created.secret)
            // Bound to its row: another webhook's slot does not open it.
            await #expect(throws: EncryptionError.self) {
                try await WebhookSecrets(keys: keys).open(.sealed(sealed, tenantID: nil), webhookID: "whk_other")
            }
            let rotated = try await service.rotateSecret(created.webhook.id)
            let delivery = try await Self.claim(store, webhookID: created.webhook.id)
            guard case .sealed(let text, _) = delivery.secret else { Issue.record("not sealed"); return }
            #expect(try await WebhookSecrets(keys: keys).open(.sealed(text, tenantID: nil), webhookID: created.webhook.id) == rotated.secret)
        }
    }

    @Test(arguments: Engine.allCases)
    func webhooksFromBeforeMigration5KeepSigningAndAreSealedOnceAKeyExists(_ engine: Engine) async throws {
        try await TestDatabases.with(engine, migrations: 4) { store in
            let legacy = WebhookSignature.newSecret()
            try await store.database.transaction(.system) { db in
                try await db.execute(
                    """
                    INSERT INTO webhooks (id, name, url, events, secret, secret_prefix, created_at, updated_at)
                    VALUES ('whk_legacy', 'old', 'http://127.0.0.1:9/x', ?, ?, ?, ?, ?)
                    """,
                    [.textArray(["*"]), .text(legacy), .text(String(legacy.prefix(8))), .timestamp(store.clock.now()),
                     .timestamp(store.clock.now())])
            }
            try await Migrations.apply(to: store.database, logger: TestDatabases.logger)
            let columns = try await store.database.read(.system) { db in
                try await db.first("SELECT * FROM webhooks WHERE id = 'whk_legacy'", [])
            }
            #expect(columns?.string("secret_legacy") == legacy)
            #expect(columns?.string("secret") == nil, "the clear column is gone")
            // Without a key: deliveries still sign with the legacy secret.
            let delivery = try await Self.claim(store, webhookID: "whk_legacy")
            guard case .legacy(let clear) = delivery.secret else { Issue.record("expected the legacy secret"); return }
            #expect(clear == legacy)
            var settings = ServerConfig.Webhooks()
            settings.allowPrivate = true
            #expect(try await WebhookService(store: store, settings: settings, dataKeys: nil).sealLegacySecrets() == 0)
            // With a key (the next start): sealed, hashed, the clear value cleared.
            let keys = DataKeys(kek: Self.kek, store: store)
            let service = WebhookService(store: store, settings: settings, dataKeys: keys)
            #expect(try await service.legacySecretCount() == 1)
            #expect(try await service.sealLegacySecrets() == 1)
            #expect(try await service.legacySecretCount() == 0)
            let row = try #require(
                try await store.database.read(.system) { db in try await db.first("SELECT * FROM webhooks WHERE id = 'whk_legacy'", []) })
            #expect(row.string("secret_legacy") == nil)
            #expect(row.string("secret_hash") == Hex.encode(SHA256.hash(data: Array(legacy.utf8))))
            let sealed = try #require(row.string("secret_encrypted"))
            #expect(try await WebhookSecrets(keys: keys).open(.sealed(sealed, tenantID: nil), webhookID: "whk_legacy") == legacy)
        }
    }

    /// Queues one event for the webhook and claims it as the dispatcher would.
    static func claim(_ store: Store, webhookID: String) async throws -> WebhookDelivery {
        let now = store.clock.now()
        try await store.database.transaction(.system) { db in
            try await db.execute(
                """
                INSERT INTO webhook_events (id, webhook_id, event_type, payload, status, attempts, next_retry_at, created_at, updated_at)
                VALUES (?, ?, 'session.created', ?, 'pending', 0, ?, ?, ?)
                """,
                [.text(ID.make(.webhookEvent)), .text(webhookID), .json("{}"), .timestamp(now), .timestamp(now), .timestamp(now)])
        }
        let batch = try await store.claimDueWebhookEvents(limit: 10, leaseSeconds: 60)
        return try #require(batch.first { $0.webhookID == webhookID })
    }
}

/// KEK rotation (auth-security.md §6.1): with the old key as `MARIONETTE_ENCRYPTION_KEY_PREVIOUS`,
/// data keys open during the rotation and are re-wrapped under the new key; the data they protect
/// (a managed agent key here) is not re-encrypted and still opens afterwards with the new key only.
@Suite struct KEKRotationTests {
    @Test(arguments: Engine.allCases)
    func rewrapMovesEveryDataKeyToTheNewKEK(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let old = try KeyEncryptionKey(hex: KeyEncryptionKey.generateHex(), id: "old")
            let new = try KeyEncryptionKey(hex: KeyEncryptionKey.generateHex(), id: "new")
            var request = AgentConfigRequest()
            request.name = "team"
            request.agent = "claude"
            request.apiKey = "sk-ant-rotating-1234"
            let config = try await AgentConfigService(store: store, dataKeys: DataKeys(kek: old, store: store)).create(request)
            let tenantBefore = try await DataKeys(kek: old, store: store).tenantKey(nil, purpose: .secrets).key.withUnsafeBytes { Array($0) }

            // The new key alone cannot open them; with the old one as previous it can.
            await #expect(throws: EncryptionError.self) {
                try await AgentConfigService(store: store, dataKeys: DataKeys(kek: new, store: store)).apiKey(configID: config.id)
            }
            let rotating = DataKeys(kek: new, previous: old, store: store)
            #expect(try await AgentConfigService(store: store, dataKeys: rotating).apiKey(configID: config.id) == "sk-ant-rotating-1234")

            #expect(try await rotating.rewrapAll() == DataKeys.RewrapReport(rewrapped: 2, unreadable: 0))
            #expect(try await rotating.rewrapAll() == DataKeys.RewrapReport(rewrapped: 0, unreadable: 0), "a second pass has nothing to do")
            let ids = try await store.allDataKeys().map(\.kekID)
            #expect(ids == ["new", "new"])

            let after = DataKeys(kek: new, store: store)
            #expect(try await AgentConfigService(store: store, dataKeys: after).apiKey(configID: config.id) == "sk-ant-rotating-1234")
            #expect(try await after.tenantKey(nil, purpose: .secrets).key.withUnsafeBytes { Array($0) } == tenantBefore)
            await #expect(throws: EncryptionError.self) {
                try await AgentConfigService(store: store, dataKeys: DataKeys(kek: old, store: store)).apiKey(configID: config.id)
            }
        }
    }

    @Test func anInvalidPreviousKeyIsNamed() async throws {
        try await TestDatabases.with(.sqlite) { store in
            var config = ServerConfig()
            config.encryptionKey = KeyEncryptionKey.generateHex()
            config.encryptionKeyPrevious = "short"
            #expect(throws: EncryptionError.invalidKey("(MARIONETTE_ENCRYPTION_KEY_PREVIOUS) it has 5 characters")) {
                try DataKeys.configured(config, store: store)
            }
        }
    }
}
