import Core
import Testing

@Suite struct IDTests {
    @Test func formatMatchesTheSpec() {
        let id = ID.make(.session)
        #expect(id.hasPrefix("sess_"))
        #expect(id.count == "sess".count + 17)
        #expect(ID.isValid(id, prefix: .session))
        #expect(!ID.isValid(id, prefix: .task))
        // Current ids start with B (data-model.md §1).
        #expect(id.dropFirst(5).first == "B")
    }

    @Test func timestampRoundTripsAndOrders() {
        let earlier = ID.make(.task, milliseconds: 1_700_000_000_000)
        let later = ID.make(.task, milliseconds: 1_700_000_000_001)
        #expect(ID.milliseconds(of: earlier) == 1_700_000_000_000)
        #expect(earlier < later)
    }

    @Test(arguments: ["sess_", "sess_abc", "sess_AAAAAAAA1234567!", "task_AAAAAAAA12345678", "sess_AAAA1AAA12345678", ""])
    func rejectsMalformedIDs(_ candidate: String) {
        #expect(!ID.isValid(candidate, prefix: .session))
    }

    @Test func randomPartIsBase62AndVaries() {
        let ids = Set((0..<1000).map { _ in ID.make(.workspace, milliseconds: 42) })
        #expect(ids.count == 1000)
        for id in ids { #expect(ID.isValid(id, prefix: .workspace)) }
    }
}

@Suite struct TimestampTests {
    @Test func formatsFixedWidthUTCWithMilliseconds() {
        #expect(Timestamp(milliseconds: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 1_740_823_200_123).rfc3339 == "2025-03-01T10:00:00.123Z")
        #expect(Timestamp(milliseconds: 951_782_400_000).rfc3339 == "2000-02-29T00:00:00.000Z")
    }

    @Test func parsesOffsetsFractionsAndSpaces() {
        #expect(RFC3339.parse("2025-03-01T10:00:00.123Z")?.milliseconds == 1_740_823_200_123)
        #expect(RFC3339.parse("2025-03-01T12:00:00+02:00")?.milliseconds == 1_740_823_200_000)
        #expect(RFC3339.parse("2025-03-01 10:00:00.5Z")?.milliseconds == 1_740_823_200_500)
        #expect(RFC3339.parse("2025-03-01T10:00:00.123456Z")?.milliseconds == 1_740_823_200_123)
        #expect(RFC3339.parse("2025-13-01T10:00:00Z") == nil)
        #expect(RFC3339.parse("yesterday") == nil)
        #expect(RFC3339.parse("2025-03-01T10:00:00") == nil)
    }

    @Test func roundTripsManyValues() {
        var value: Int64 = -86_400_000 * 400
        while value < 4_102_444_800_000 {
            let t = Timestamp(milliseconds: value)
            #expect(RFC3339.parse(t.rfc3339) == t)
            value += 7_919_999_993
        }
    }
}

@Suite struct ScopeTests {
    @Test func matchesExactWildcardAndResourceWildcard() {
        #expect(Scope.grants(["*"], "sessions:write"))
        #expect(Scope.grants(["sessions:read"], "sessions:read"))
        #expect(!Scope.grants(["sessions:read"], "sessions:write"))
        #expect(Scope.grants(["tasks:*"], "tasks:read"))
        #expect(!Scope.grants(["tasks:*"], "tunnels:read"))
        #expect(!Scope.grants([], "sessions:read"))
        #expect(!Scope.grants(["sessions"], "sessions:read"))
    }

    @Test func validatesScopeNames() {
        #expect(Scope.isValid("*"))
        #expect(Scope.isValid("streams:*"))
        #expect(Scope.isValid("scheduled-tasks:write"))
        #expect(!Scope.isValid("everything"))
        #expect(!Scope.isValid("bogus:*"))
    }
}

@Suite struct LabelTests {
    @Test func acceptsValidLabels() throws {
        try Labels.validate(["app.kubernetes.io/name": "web", "team": ""])
    }

    @Test func rejectsBadKeysLongValuesAndTooManyPairs() {
        #expect(throws: APIError.self) { try Labels.validate(["bad key": "x"]) }
        #expect(throws: APIError.self) { try Labels.validate([String(repeating: "k", count: 64): "x"]) }
        #expect(throws: APIError.self) { try Labels.validate(["k": String(repeating: "v", count: 256)]) }
        let many = Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", "v") })
        #expect(throws: APIError.self) { try Labels.validate(many) }
    }
}

@Suite struct ServerConfigTests {
    @Test func defaultsAreTheEmbeddedDefault() throws {
        let config = ServerConfig()
        #expect(config.resolvedDriver == .sqlite)
        #expect(config.apiHost == "127.0.0.1")
        #expect(config.resolvedFabricDataPort == 9092)
        #expect(config.resolvedSQLitePath == "./.marionette/marionette.db")
        try config.validate()
    }

    @Test func environmentNamesMapToKeys() {
        #expect(ServerConfig.key(forEnvironmentName: "MARIONETTE_SERVER_API_PORT") == "server.api.port")
        #expect(ServerConfig.key(forEnvironmentName: "MARIONETTE_MULTI_TENANT") == "multi_tenant")
        #expect(ServerConfig.key(forEnvironmentName: "MARIONETTE_NOPE") == nil)
    }

    @Test func invalidValuesNameTheKey() {
        var config = ServerConfig()
        #expect(throws: ServerConfig.ConfigError.invalid(key: "server.api.port", message: "must be a port number 1..65535, got \"70000\"")) {
            try config.apply(key: "server.api.port", value: "70000")
        }
        #expect(throws: ServerConfig.ConfigError.unknownKey("server.nope")) { try config.apply(key: "server.nope", value: "1") }
    }

    @Test func crossFieldRules() {
        var config = ServerConfig()
        config.uiUsername = "admin"
        #expect(throws: ServerConfig.ConfigError.self) { try config.validate() }
        config = ServerConfig()
        config.multiTenant = true
        #expect(throws: ServerConfig.ConfigError.self) { try config.validate() }
        config = ServerConfig()
        config.adminPort = config.apiPort
        #expect(throws: ServerConfig.ConfigError.self) { try config.validate() }
    }

    @Test func bufferedRandomMakesValidDistinctIDs() {
        var random = BufferedSystemRandom()
        var seen = Set<String>()
        for _ in 0..<1000 {  // several refills of the 64-word buffer
            let id = ID.make(.log, milliseconds: 1_764_000_000_000, using: &random)
            #expect(ID.isValid(id, prefix: .log))
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }

    @Test func rfc3339FormatsFixedWidthAndRoundTrips() {
        for ms: Int64 in [0, 999, 1_000, 951_782_400_000, 1_764_000_000_123, 253_402_300_799_999] {
            let text = RFC3339.format(Timestamp(milliseconds: ms))
            #expect(text.utf8.count == 24)
            #expect(RFC3339.parse(text) == Timestamp(milliseconds: ms), "\(text)")
        }
        #expect(RFC3339.format(Timestamp(milliseconds: 951_782_400_000)) == "2000-02-29T00:00:00.000Z")
    }
}
