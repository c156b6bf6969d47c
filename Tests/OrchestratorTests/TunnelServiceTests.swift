import Core
import Foundation
import Testing

@testable import Orchestrator

/// Tunnels on both engines: create rules and defaults, TTL, TCP ports, limits, listing, close,
/// expiry, the session's lifecycle, tokens and tenants.
@Suite struct TunnelServiceTests {
    static func service(_ store: Store, _ configure: (inout ServerConfig.Tunnels) -> Void = { _ in }) -> TunnelService {
        var settings = ServerConfig.Tunnels()
        configure(&settings)
        return TunnelService(store: store, publicURL: "https://mari.example:8443/", settings: settings)
    }

    static func session(_ store: Store, scope: TenantScope = .single, active: Bool = false) async throws -> SessionRecord {
        try await StreamServiceTests.session(store, scope: scope, active: active)
    }

    static func request(_ port: Int, type: String? = nil, _ configure: (inout CreateTunnelRequest) -> Void = { _ in })
        -> CreateTunnelRequest
    {
        var request = CreateTunnelRequest(type: type, localPort: port)
        configure(&request)
        return request
    }

    @Test(arguments: Engine.allCases)
    func createAppliesDefaultsAndReturnsTheTokenOnce(_ engine: Engine) async throws {
        let clock = AdjustableClock()
        try await TestDatabases.with(engine, clock: clock) { store in
            let tunnels = Self.service(store)
            let session = try await Self.session(store)
            let created = try await tunnels.create(Self.request(3000), sessionID: session.id, scope: .single)
            let r = created.record
            #expect(ID.isValid(r.id, prefix: .tunnel))
            #expect(r.type == "http" && r.direction == "outbound" && r.localPort == 3000 && !r.isPublic)
            #expect(r.hostHeaderMode == "rewrite" && r.allowCIDRs.isEmpty && r.publicPort == nil)
            #expect(r.expiresAt == clock.now().adding(seconds: 3600))
            #expect(r.hostLabel == "tun-" + r.id.dropFirst(4).lowercased())
            #expect(created.status == .active)
            #expect(created.pathURL == "https://mari.example:8443/tunnels/\(r.id)/")
            #expect(created.subdomainURL == "https://\(r.hostLabel).tunnels.localhost:8443/")
            #expect(created.publicURL == created.subdomainURL)
            let token = try #require(created.token)
            #expect(token.hasPrefix("ttok_") && token.count == 48)
            #expect(r.tokenHash == Tokens.hash(token) && r.tokenPrefix == String(token.prefix(13)))
            #expect(TunnelService.tokenMatches(token, tunnel: r))
            #expect(!TunnelService.tokenMatches(Tokens.mint(.tunnel).raw, tunnel: r))
            #expect(!TunnelService.tokenMatches("ttok_short", tunnel: r))

            let fetched = try await tunnels.get(r.id, scope: .single)
            #expect(fetched.token == nil && fetched.record == r)
            let json = String(decoding: try JSONEncoder().encode(fetched), as: UTF8.self)
            #expect(!json.contains("ttok_") && !json.contains(r.tokenHash))
            #expect(json.contains("\"host_header\":\"rewrite\"") && json.contains("\"status\":\"active\""))

            // TTL clamps at 24 h; explicit options are kept.
            let long = try await tunnels.create(
                Self.request(8080) { $0.ttlSeconds = 999_999; $0.isPublic = true; $0.hostHeader = "preserve"; $0.labels = ["a": "b"] },
                sessionID: session.id, scope: .single)
            #expect(long.record.expiresAt == clock.now().adding(seconds: 86_400))
            #expect(long.record.isPublic && long.record.hostHeaderMode == "preserve" && long.record.labels == ["a": "b"])

            let pathMode = Self.service(store) { $0.urlMode = "path" }
            #expect(pathMode.resource(r).publicURL == "https://mari.example:8443/tunnels/\(r.id)/")
            // tunnels.path_form_enabled off: no path URL.
            let noPathForm = Self.service(store) { $0.pathFormEnabled = false }
            #expect(noPathForm.resource(r).pathURL == nil && noPathForm.resource(r).publicURL == created.subdomainURL)

            // tunnels.default_ttl_seconds / max_ttl_seconds.
            let shortLived = Self.service(store) {
                $0.defaultTTLSeconds = 600
                $0.maxTTLSeconds = 1200
            }
            let byDefault = try await shortLived.create(Self.request(81), sessionID: session.id, scope: .single)
            #expect(byDefault.record.expiresAt == clock.now().adding(seconds: 600))
            let capped = try await shortLived.create(Self.request(82) { $0.ttlSeconds = 5000 }, sessionID: session.id, scope: .single)
            #expect(capped.record.expiresAt == clock.now().adding(seconds: 1200))
        }
    }

    @Test(arguments: Engine.allCases)
    func tcpTunnelsTakeTheLowestFreePort(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let tunnels = Self.service(store) { $0.tcpPortRange = 21000...21001 }
            let session = try await Self.session(store, active: true)
            let first = try await tunnels.create(Self.request(22, type: "tcp"), sessionID: session.id, scope: .single)
            #expect(first.record.publicPort == 21000 && first.record.publicHost == "mari.example")
            #expect(first.publicURL == "tcp://mari.example:21000" && first.pathURL == nil && first.subdomainURL == nil)
            #expect(first.record.allowCIDRs == ["127.0.0.0/8", "::1/128"])
            let second = try await tunnels.create(
                Self.request(23, type: "tcp") { $0.allowCIDRs = ["10.1.2.3/8", "2001:db8::1"] }, sessionID: session.id,
                scope: .single)
            #expect(second.record.publicPort == 21001)
            #expect(second.record.allowCIDRs == ["10.0.0.0/8", "2001:db8:0:0:0:0:0:1/128"])
            await StreamServiceTests.expectError("service_unavailable") {
                _ = try await tunnels.create(Self.request(24, type: "tcp"), sessionID: session.id, scope: .single)
            }
            try await tunnels.close(first.record.id, scope: .single)
            let third = try await tunnels.create(Self.request(25, type: "tcp"), sessionID: session.id, scope: .single)
            #expect(third.record.publicPort == 21000)
            // HTTP tunnels never hold a port.
            let http = try await tunnels.create(Self.request(80), sessionID: session.id, scope: .single)
            #expect(http.record.publicPort == nil && http.record.publicHost == nil)
        }
    }

    /// A port of the range that this host cannot listen on (another process holds it) is skipped;
    /// with none left the create says which range to widen.
    @Test(arguments: Engine.allCases)
    func portsOtherProcessesHoldAreSkipped(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            var tunnels = Self.service(store) { $0.tcpPortRange = 21000...21002 }
            tunnels.tcpPortAvailable = { $0 != 21000 && $0 != 21002 }
            let session = try await Self.session(store, active: true)
            let first = try await tunnels.create(Self.request(22, type: "tcp"), sessionID: session.id, scope: .single)
            #expect(first.record.publicPort == 21001)
            await StreamServiceTests.expectError("service_unavailable") {
                _ = try await tunnels.create(Self.request(23, type: "tcp"), sessionID: session.id, scope: .single)
            }
            do {
                _ = try await tunnels.create(Self.request(23, type: "tcp"), sessionID: session.id, scope: .single)
            } catch let error as APIError {
                #expect(error.message.contains("21000-21002") && error.message.contains("tunnels.tcp_port_range"), "\(error.message)")
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func badInputNamesTheField(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let tunnels = Self.service(store)
            let session = try await Self.session(store)
            func create(_ request: CreateTunnelRequest) async throws {
                _ = try await tunnels.create(request, sessionID: session.id, scope: .single)
            }
            await StreamServiceTests.expectError("invalid_type", field: "type") { try await create(Self.request(80, type: "udp")) }
            await StreamServiceTests.expectError("validation_error", field: "local_port") {
                try await create(CreateTunnelRequest())
            }
            for port in [0, -1, 65536] {
                await StreamServiceTests.expectError("validation_error", field: "local_port") { try await create(Self.request(port)) }
            }
            await StreamServiceTests.expectError("validation_error", field: "ttl_seconds") {
                try await create(Self.request(80) { $0.ttlSeconds = 0 })
            }
            await StreamServiceTests.expectError("validation_error", field: "host_header") {
                try await create(Self.request(80) { $0.hostHeader = "keep" })
            }
            await StreamServiceTests.expectError("validation_error", field: "host_header") {
                try await create(Self.request(80, type: "tcp") { $0.hostHeader = "preserve" })
            }
            await StreamServiceTests.expectError("validation_error", field: "allow_cidrs") {
                try await create(Self.request(80) { $0.allowCIDRs = ["10.0.0.0/8"] })
            }
            for bad in ["10.0.0.0/33", "300.1.1.1", "::1/129", "nope", "1.2.3.4/"] {
                await StreamServiceTests.expectError("validation_error", field: "allow_cidrs") {
                    try await create(Self.request(80, type: "tcp") { $0.allowCIDRs = [bad] })
                }
            }
            await StreamServiceTests.expectError("not_found") {
                _ = try await tunnels.create(Self.request(80), sessionID: ID.make(.session), scope: .single)
            }
            #expect(try await store.tunnels(TunnelFilter(), page: PageRequest(), scope: .single).totalCount == 0)
        }
    }

    @Test func requestAcceptsTheSpecAliases() throws {
        let decoded = try JSONDecoder().decode(
            CreateTunnelRequest.self, from: Data(#"{"local_port":5,"is_public":true,"allowed_cidrs":["::1"]}"#.utf8))
        #expect(decoded.isPublic == true && decoded.allowCIDRs == ["::1"] && decoded.localPort == 5)
        let both = try JSONDecoder().decode(
            CreateTunnelRequest.self, from: Data(#"{"local_port":5,"public":false,"is_public":true}"#.utf8))
        #expect(both.isPublic == false)
    }

    @Test(arguments: Engine.allCases)
    func sessionStateLimitListAndClose(_ engine: Engine) async throws {
        let clock = AdjustableClock()
        try await TestDatabases.with(engine, clock: clock) { store in
            let tunnels = Self.service(store) { $0.maxPerSession = 2 }
            let session = try await Self.session(store, active: true)
            let a = try await tunnels.create(Self.request(1), sessionID: session.id, scope: .single).record.id
            clock.advance(seconds: 1)
            let b = try await tunnels.create(Self.request(2) { $0.ttlSeconds = 10 }, sessionID: session.id, scope: .single).record.id
            await StreamServiceTests.expectError("limit_exceeded") {
                _ = try await tunnels.create(Self.request(3), sessionID: session.id, scope: .single)
            }
            var filter = TunnelFilter()
            filter.sessionID = session.id
            let page = try await tunnels.list(filter, page: PageRequest(limit: 1), scope: .single)
            #expect(page.items.map(\.record.id) == [b] && page.hasMore && page.totalCount == 2)

            // Expiry: status turns at expires_at; the sweeper records it and frees the slot.
            clock.advance(seconds: 10)
            await StreamServiceTests.expectError("tunnel_expired") { _ = try await tunnels.get(b, scope: .single) }
            #expect(try await tunnels.list(filter, page: PageRequest(), scope: .single).items.map(\.record.id) == [a])
            #expect(try await store.expireTunnels() == [b])
            #expect(try await store.expireTunnels().isEmpty)
            let expired = try #require(try await store.tunnel(b, scope: .single))
            #expect(expired.closeReason == "expired" && expired.closedAt != nil)
            _ = try await tunnels.create(Self.request(3), sessionID: session.id, scope: .single)

            try await tunnels.close(a, scope: .single)
            try await tunnels.close(a, scope: .single)
            await StreamServiceTests.expectError("tunnel_closed") { _ = try await tunnels.get(a, scope: .single) }
            filter.includeClosed = true
            #expect(try await tunnels.list(filter, page: PageRequest(), scope: .single).totalCount == 3)
            await StreamServiceTests.expectError("not_found") { try await tunnels.close(ID.make(.tunnel), scope: .single) }

            // Leaving active closes the rest; a suspended session takes no new tunnels.
            _ = try await SessionService(store: store).suspend(session.id, scope: .single)
            let rows = try await tunnels.list(filter, page: PageRequest(), scope: .single).items
            #expect(rows.allSatisfy { $0.status != .active })
            #expect(rows.contains { $0.record.closeReason == "session_suspended" })
            await StreamServiceTests.expectError("invalid_state") {
                _ = try await tunnels.create(Self.request(4), sessionID: session.id, scope: .single)
            }
            let target = try #require(try await store.tunnelTarget(hostLabel: TunnelHostLabel.label(forID: a)))
            #expect(target.tunnel.id == a && target.sessionStatus == "suspended")
            #expect(TunnelHostLabel.normalize(Substring("TUN_" + a.dropFirst(4))) == TunnelHostLabel.label(forID: a))
        }
    }

    @Test(arguments: Engine.allCases)
    func tenantsSeeOnlyTheirOwnTunnels(_ engine: Engine) async throws {
        try await TestDatabases.with(engine, multiTenant: true) { store in
            let tunnels = Self.service(store)
            let a = TenantScope.tenant("tenant-a")
            let b = TenantScope.tenant("tenant-b")
            let session = try await Self.session(store, scope: a)
            let tunnel = try await tunnels.create(Self.request(80), sessionID: session.id, scope: a)
            #expect(tunnel.record.tenantID == "tenant-a")
            await StreamServiceTests.expectError("not_found") {
                _ = try await tunnels.create(Self.request(80), sessionID: session.id, scope: b)
            }
            await StreamServiceTests.expectError("not_found") { _ = try await tunnels.get(tunnel.record.id, scope: b) }
            await StreamServiceTests.expectError("not_found") { try await tunnels.close(tunnel.record.id, scope: b) }
            #expect(try await tunnels.list(TunnelFilter(), page: PageRequest(), scope: b).totalCount == 0)
            #expect(try await tunnels.list(TunnelFilter(), page: PageRequest(), scope: a).totalCount == 1)
            // The ingress lookup crosses tenants: the credential decides.
            #expect(try await store.tunnelTarget(id: tunnel.record.id)?.tunnel.tenantID == "tenant-a")
        }
    }
}
