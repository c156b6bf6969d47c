/// Live activity of a session that the store does not hold (orchestration.md §8): open tunnel
/// connections and stream viewers. The idle enforcer asks before it suspends a session.
public protocol SessionActivityProbe: Sendable {
    func hasLiveActivity(sessionID: String) async -> Bool
}
