extension MarionetteClient {
    /// `GET /api/status` on the admin listener (api.md §13.1): `{"services":[{"name","port","status","message?"}]}`.
    public func adminStatus() async throws -> JSONValue {
        try await sendExpectingBody(.GET, "/api/status")
    }
}
