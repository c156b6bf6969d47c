import Client
import Testing

@Suite struct AdminRunnerTokensTests {
    @Test(arguments: [
        ("1h", 3600), ("90m", 5400), ("30s", 30), ("3600", 3600), ("0", 0), ("0s", 0),
        ("2h30m", 9000), ("7d", 604_800), ("604800", 604_800), ("1.6", 2),
    ])
    func windowToSeconds(input: String, seconds: Int) throws {
        #expect(try RunnerTokenRotation.windowSeconds(input) == seconds)
    }

    @Test(arguments: ["7d1s", "604801", "8d", "168h1m"])
    func windowAboveSevenDaysIsRejected(input: String) {
        #expect(throws: RotationWindowError.self) { try RunnerTokenRotation.windowSeconds(input) }
    }

    @Test(arguments: ["", "abc", "-5", "1h30", "10x", "1e9"])
    func malformedWindowIsADurationError(input: String) {
        #expect(throws: DurationParseError.self) { try RunnerTokenRotation.windowSeconds(input) }
    }

    @Test func windowErrorNamesInputAndRange() {
        let text = RotationWindowError(input: "8d").description
        #expect(text.contains("\"8d\""))
        #expect(text.contains("604800"))
    }

    @Test func defaultsMatchTheServer() {
        #expect(RunnerTokenRotation.defaultWindowSeconds == 3600)
        #expect(RunnerTokenRotation.maxWindowSeconds == 604_800)
        #expect(RunnerTokenStatus.all == ["active", "rotating", "revoked", "expired"])
    }

    @Test func listFilterUsesSingleCommaSeparatedParameters() {
        var filter = RunnerTokenListFilter()
        filter.poolName = "gpu"
        filter.statuses = ["active", "rotating"]
        filter.includeRevoked = true
        filter.labels = [("env", "prod"), ("team", "ml")]
        #expect(filter.queryItems == [
            QueryItem("pool_name", "gpu"),
            QueryItem("status", "active,rotating"),
            QueryItem("include_revoked", "true"),
            QueryItem("labels", "env=prod,team=ml"),
        ])
    }

    @Test func emptyListFilterSendsNothing() {
        #expect(RunnerTokenListFilter().queryItems.isEmpty)
    }

    @Test func createBodyOmitsUnsetFields() {
        let minimal = CreateRunnerTokenRequest(poolName: "default").json
        #expect(minimal["pool_name"]?.stringValue == "default")
        #expect(minimal["tenant_id"] == nil)
        #expect(minimal["labels"] == nil)
        #expect(minimal["expires_at"] == nil)

        var full = CreateRunnerTokenRequest(poolName: "gpu")
        full.tenantID = "ten_1"
        full.labels = [("env", "prod")]
        full.expiresAt = "2030-01-01T00:00:00Z"
        let json = full.json
        #expect(json["tenant_id"]?.stringValue == "ten_1")
        #expect(json["labels"]?["env"]?.stringValue == "prod")
        #expect(json["expires_at"]?.stringValue == "2030-01-01T00:00:00Z")
    }
}
