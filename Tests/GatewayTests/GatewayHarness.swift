import Core
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Orchestrator
import Testing

/// Builds the real routers (as main does) over a fresh SQLite store and runs requests through
/// Hummingbird's router test client.
struct GatewayHarness {
    let services: GatewayServices
    let key: String
    let dir: String

    static let adminPassword = "test-admin-pw"

    /// A fixed test KEK: webhooks and agent configs need one (auth-security.md §6.2).
    static let encryptionKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

    /// `encrypted: false` runs without a KEK, as a server without `MARIONETTE_ENCRYPTION_KEY` does.
    static func make(config: ServerConfig = ServerConfig(), encrypted: Bool = true) async throws -> GatewayHarness {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .error
        let db = try await SQLiteDatabase.open(path: dir + "/m.db", logger: logger)
        try await Migrations.apply(to: db, logger: logger)
        var config = config
        if encrypted && config.encryptionKey == nil { config.encryptionKey = encryptionKey }
        let store = Store(database: db)
        let services = GatewayServices(
            config: config, store: store,
            admin: AdminAuthenticator(username: "admin", password: adminPassword, masterKey: nil),
            dataKeys: try DataKeys.configured(config, store: store), logger: logger)
        let path = try #require(try await services.apiKeys.bootstrapIfEmpty(dataDir: dir))
        return GatewayHarness(services: services, key: try #require(SecretFile.read(path)), dir: dir)
    }

    /// The same store served in multi-tenant mode (``make(config:)`` bootstraps its key single-tenant).
    func multiTenant() -> GatewayHarness {
        var config = ServerConfig()
        config.multiTenant = true
        let services = GatewayServices(
            config: config, store: services.store,
            admin: AdminAuthenticator(username: "admin", password: Self.adminPassword, masterKey: nil),
            logger: services.logger)
        return GatewayHarness(services: services, key: key, dir: dir)
    }

    func close() async {
        await services.store.database.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    struct Reply {
        let status: Int
        let headers: HTTPFields
        let body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var code: String? { json["code"] as? String }
    }

    /// Sends requests to the public router.
    func api(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let (router, _) = GatewayBuilder.publicRouter(services)
        try await Application(router: router).test(.router) { client in try await body(Client(inner: client, key: key)) }
    }

    /// A live public listener (HTTP and WebSocket upgrades, as main serves it) for WebSocket tests.
    func live(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let (router, _) = GatewayBuilder.publicRouter(services)
        let app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: GatewayBuilder.webSocketRouter(services)))
        try await app.test(.live) { client in try await body(Client(inner: client, key: key)) }
    }

    /// A live admin listener (HTTP and its WebSocket upgrades) with admin Basic credentials.
    func liveAdmin(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let (router, _) = GatewayBuilder.adminRouter(services)
        let app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: GatewayBuilder.adminWebSocketRouter(services)))
        let basic = "Basic " + Data("admin:\(Self.adminPassword)".utf8).base64EncodedString()
        try await app.test(.live) { client in try await body(Client(inner: client, key: key, authorization: basic)) }
    }

    func admin(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let (router, _) = GatewayBuilder.adminRouter(services)
        let basic = "Basic " + Data("admin:\(Self.adminPassword)".utf8).base64EncodedString()
        try await Application(router: router).test(.router) { client in
            try await body(Client(inner: client, key: key, authorization: basic))
        }
    }

    struct Client {
        let inner: any TestClientProtocol
        let key: String
        var authorization: String?

        init(inner: any TestClientProtocol, key: String, authorization: String? = nil) {
            self.inner = inner
            self.key = key
            self.authorization = authorization ?? "Bearer \(key)"
        }

        func send(
            _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, auth: String?? = .none,
            headers extra: HTTPFields = [:]
        ) async throws -> Reply {
            var headers = extra
            let credential: String? = auth ?? authorization
            if let credential { headers[.authorization] = credential }
            if json != nil { headers[.contentType] = "application/json" }
            let response = try await inner.executeRequest(
                uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
            return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
        }
    }
}
