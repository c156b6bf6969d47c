/// Which requests the request timeout bounds (api.md §1.7, §13.1): plain JSON endpoints. Follow
/// streams (`?follow=true`, Server-Sent Events on `/events`) and WHEP/WHIP signalling (which may
/// wait for a runner's source to start) are exempt; WebSockets and tunnel traffic never reach the
/// route handlers. Pure: decided from the path and query alone.
struct RequestTimeoutPolicy: Sendable {
    /// `/api/v1` requests: 60 s; admin requests: 30 s.
    static let publicLimit = Duration.seconds(60)
    static let adminLimit = Duration.seconds(30)

    /// The limit of a route by its full path template.
    static func limit(forRoute path: String) -> Duration {
        path.hasPrefix("/admin/") ? adminLimit : publicLimit
    }

    static func isExempt(path: String, query: String?) -> Bool {
        if path.hasSuffix("/events") { return true }
        if let query, Self.hasFollow(query) { return true }
        // /api/v1/streams/{id}/whep|whip and .../whep|whip/{peerID}
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.count >= 5, parts[0] == "api", parts[2] == "streams", parts[4] == "whep" || parts[4] == "whip" { return true }
        return false
    }

    /// `follow=true` (or `1`) among the query's parameters.
    private static func hasFollow(_ query: String) -> Bool {
        query.split(separator: "&").contains { $0 == "follow=true" || $0 == "follow=1" }
    }
}
