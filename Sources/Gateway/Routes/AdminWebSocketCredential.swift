import Core
import Hummingbird
import Orchestrator

/// The credential of an admin WebSocket upgrade: admin credentials in the header (Basic, or Bearer
/// master key), else a one-time `?ticket=` from `POST /admin/api/v1/ws-tickets` (api.md §13.1).
/// `consume` is false while deciding to upgrade and true once upgraded, so a ticket opens one socket.
enum AdminWebSocketCredential {
    static func check(_ request: Request, _ s: GatewayServices, tickets: WebSocketTickets, consume: Bool) throws(APIError) {
        if let ticket = QueryParams(request).first("ticket"), request.headers[.authorization] == nil {
            guard consume ? tickets.redeem(ticket) : tickets.isValid(ticket) else {
                throw APIError.unauthenticated("invalid_ticket", "the ticket is unknown, used or expired; ask for a new one")
            }
        } else {
            _ = try s.admin.authenticate(authorization: request.headers[.authorization])
        }
    }
}
