extension MarionetteClient {
    /// `GET /health` (no authentication needed). The admin listener adds `version` and `service`.
    public func health() async throws -> JSONValue? {
        try await send(.GET, "/health")
    }
}
