@testable import Orchestrator

/// A `RunnerHub` over a test store with runner `r1` of pool `external` registered through a fresh
/// runner token, not yet connected (`hub.connected(runnerID:link:)` does that).
struct RegisteredRunnerHub {
    let tokens: RunnerTokenService
    let hub: RunnerHub
    let runnerID: String

    static let registration = RunnerRegistration(
        name: "r1", hostname: "h", capabilities: [], sandboxMode: "none", sandboxTypes: [], poolName: "external",
        labels: [:], annotations: [:], agentVersion: "test", os: "linux", arch: "x86_64")

    init(_ store: Store, settings: RunnerHub.Settings = .init()) async throws {
        tokens = RunnerTokenService(store: store, multiTenant: false)
        hub = RunnerHub(store: store, tokens: tokens, provider: nil, hub: LogHub(), settings: settings, logger: TestDatabases.logger)
        let minted = try await tokens.create(CreateRunnerTokenRequest(poolName: "external"), createdBy: nil)
        runnerID = try await hub.register(token: minted.rawToken, Self.registration).0
    }
}
