import Core
import Foundation
import Testing

@testable import Orchestrator

@Suite struct TokenTests {
    @Test func mintedTokensHaveTheSpecShape() {
        let token = Tokens.mint(.apiKey)
        #expect(token.raw.hasPrefix("mk_"))
        #expect(token.raw.count == 46)
        #expect(token.displayPrefix == String(token.raw.prefix(11)))
        #expect(token.hash.count == 64)
        #expect(token.hash == Tokens.hash(token.raw))
        #expect(Tokens.mint(.runner).raw.count == 5 + 43)
    }

    @Test func formatChecksComeBeforeLookup() {
        #expect(throws: APIError.self) { try Tokens.checkFormat("rtok_" + String(repeating: "a", count: 43), expected: .apiKey) }
        #expect(throws: APIError.self) { try Tokens.checkFormat("mk_short", expected: .apiKey) }
        #expect(throws: APIError.self) { try Tokens.checkFormat("nounderscore", expected: .apiKey) }
    }

    @Test func constantTimeEquality() {
        #expect(Tokens.constantTimeEquals("abc", "abc"))
        #expect(!Tokens.constantTimeEquals("abc", "abd"))
        #expect(!Tokens.constantTimeEquals("abc", "abcd"))
    }

    @Test func adminAuthenticatorAcceptsBasicAndMasterKeyOnly() throws {
        let auth = AdminAuthenticator(username: "admin", password: "pw", masterKey: String(repeating: "m", count: 32))
        let basic = "Basic " + Data("admin:pw".utf8).base64EncodedString()
        #expect(try auth.authenticate(authorization: basic) == "admin")
        #expect(try auth.authenticate(authorization: "Bearer " + String(repeating: "m", count: 32)) == "master-key")
        #expect(throws: APIError.self) { try auth.authenticate(authorization: "Basic " + Data("admin:no".utf8).base64EncodedString()) }
        #expect(throws: APIError.self) { try auth.authenticate(authorization: "Bearer mk_whatever") }
        #expect(throws: APIError.self) { try auth.authenticate(authorization: nil) }
    }
}

@Suite struct APIKeyTests {
    @Test(arguments: Engine.allCases)
    func keysAuthenticateUntilRevokedOrExpired(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let service = APIKeyService(store: store, multiTenant: false)
            let auth = APIKeyAuthenticator(store: store, logger: TestDatabases.logger)
            let created = try await service.create(CreateAPIKeyRequest(name: "ci", scopes: ["tasks:*"]), createdBy: "admin")
            let principal = try await auth.authenticate(created.rawToken)
            #expect(principal.scopes == ["tasks:*"])
            #expect(created.key.keyPrefix == String(created.rawToken.prefix(11)))

            await #expect(throws: APIError.unauthenticated("token_not_found", "API key not recognised; check the key or create a new one")) {
                try await auth.authenticate(Tokens.mint(.apiKey).raw)
            }
            try await service.revoke(created.key.id, reason: "rotated")
            auth.invalidate()
            do {
                _ = try await auth.authenticate(created.rawToken)
                Issue.record("expected token_revoked")
            } catch let error as APIError {
                #expect(error.code == "token_revoked")
            }
            #expect(try await service.get(created.key.id).revokeReason == "rotated")

            var expiring = CreateAPIKeyRequest(name: "short", scopes: ["*"])
            expiring.expiresAt = store.clock.now().adding(seconds: 1)
            let short = try await service.create(expiring, createdBy: nil)
            try await store.database.transaction(.system) {
                try await $0.execute("UPDATE api_keys SET expires_at = ? WHERE id = ?",
                                     [.timestamp(Timestamp(milliseconds: 1000)), .text(short.key.id)])
            }
            do {
                _ = try await auth.authenticate(short.rawToken)
                Issue.record("expected token_expired")
            } catch let error as APIError {
                #expect(error.code == "token_expired")
            }
            // Hashes never appear in records.
            let json = String(decoding: try JSONEncoder().encode(try await service.get(short.key.id)), as: UTF8.self)
            #expect(!json.contains(Tokens.hash(short.rawToken)))
        }
    }

    @Test(arguments: Engine.allCases)
    func bootstrapRunsOnceAndWritesAPrivateFile(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boot-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let service = APIKeyService(store: store, multiTenant: false)
            let path = try #require(try await service.bootstrapIfEmpty(dataDir: dir))
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let key = try #require(SecretFile.read(path))
            let principal = try await APIKeyAuthenticator(store: store, logger: TestDatabases.logger).authenticate(key)
            #expect(principal.scopes == ["*"])
            #expect(try await service.bootstrapIfEmpty(dataDir: dir) == nil)
        }
    }

    @Test(arguments: Engine.allCases)
    func badScopesAndMissingTenantsAreRefused(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            await #expect(throws: APIError.self) {
                try await APIKeyService(store: store, multiTenant: false).create(
                    CreateAPIKeyRequest(name: "x", scopes: ["root"]), createdBy: nil)
            }
            await #expect(throws: APIError.self) {
                try await APIKeyService(store: store, multiTenant: true).create(
                    CreateAPIKeyRequest(name: "x", scopes: ["*"]), createdBy: nil)
            }
        }
    }
}

@Suite struct CronTests {
    @Test(arguments: ["* * * * *", "*/5 0-23 1,15 JAN-DEC MON-FRI", "0 9 * * 7"])
    func acceptsValidExpressions(_ expression: String) {
        #expect(CronExpression.problem(expression) == nil)
    }

    @Test(arguments: ["* * * *", "60 * * * *", "* * 0 * *", "*/0 * * * *", "5-1 * * * *", "* * * FOO *"])
    func rejectsInvalidExpressions(_ expression: String) {
        #expect(CronExpression.problem(expression) != nil)
    }
}
