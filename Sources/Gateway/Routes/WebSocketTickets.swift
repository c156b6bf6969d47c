import Core
import Foundation
import Synchronization

/// One-time tickets for admin WebSocket upgrades (api.md §13.2 `POST /ws-tickets`): a browser
/// cannot set `Authorization` on a WebSocket, so the admin UI asks for a ticket with its Basic
/// credentials and opens `…/events?ticket=`. A ticket lives 60 s and opens one socket.
public final class WebSocketTickets: Sendable {
    public static let lifetime: Duration = .seconds(60)
    private let tickets = Mutex<[String: ContinuousClock.Instant]>([:])

    public init() {}

    /// A new ticket and when it expires (wall clock, for the response).
    public func issue() -> (ticket: String, expiresAt: Timestamp) {
        var bytes = [UInt8](repeating: 0, count: 24)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0 ... .max) }
        let ticket = "wst_" + bytes.map { String(format: "%02x", $0) }.joined()
        let now = ContinuousClock.now
        tickets.withLock { tickets in
            tickets = tickets.filter { $0.value > now }
            tickets[ticket] = now + Self.lifetime
        }
        let expires = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 60_000)
        return (ticket, expires)
    }

    public func isValid(_ ticket: String) -> Bool {
        tickets.withLock { ($0[ticket] ?? .now) > .now }
    }

    /// Uses the ticket up: true once, while it has not expired.
    public func redeem(_ ticket: String) -> Bool {
        tickets.withLock { ($0.removeValue(forKey: ticket) ?? .now) > .now }
    }
}

struct WebSocketTicketResponse: Encodable {
    let ticket: String
    let expiresAt: Timestamp
    enum CodingKeys: String, CodingKey { case ticket, expiresAt = "expires_at" }
}
