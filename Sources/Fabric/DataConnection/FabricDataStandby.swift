import NIOHPACK

/// Standby streams (runner-protocol.md §10.9, our form of it): the runner keeps idle
/// `POST /v1/tunnels/standby` streams open; when a client connects, the server answers one of them
/// with `:status 200` and this assignment in the response head instead of sending
/// `OpenTunnelConnection` on the control stream and waiting for the runner to open a stream. The
/// runner dials the port (in the order the heads arrive), then sends an empty DATA frame (connected)
/// or trailers with `x-dial-error` and END_STREAM (not connected); after the empty frame DATA carries
/// the connection's bytes both ways, as on a connection stream. The runner opens a new standby
/// stream for every one answered.
public struct FabricDataStandbyAssignment: Sendable, Equatable {
    public static let tunnelIDHeader = "x-tunnel-id"
    public static let connectionIDHeader = "x-connection-id"
    public static let localPortHeader = "x-local-port"

    public var tunnelID: String
    public var connectionID: String
    public var localPort: Int

    public init(tunnelID: String, connectionID: String, localPort: Int) {
        self.tunnelID = tunnelID
        self.connectionID = connectionID
        self.localPort = localPort
    }

    /// The server's response head.
    public var responseHeaders: HPACKHeaders {
        [
            ":status": "200", Self.tunnelIDHeader: tunnelID, Self.connectionIDHeader: connectionID,
            Self.localPortHeader: String(localPort),
        ]
    }

    /// Reads a response head; nil unless it is a 200 naming valid IDs and a port in 1...65535.
    public init?(responseHeaders headers: HPACKHeaders) {
        guard headers.first(name: ":status") == "200",
            let tunnelID = headers.first(name: Self.tunnelIDHeader),
            let connectionID = headers.first(name: Self.connectionIDHeader),
            let port = headers.first(name: Self.localPortHeader).flatMap({ Int($0) }),
            FabricDataRoute.isValidIdentifier(Substring(tunnelID)), FabricDataRoute.isValidIdentifier(Substring(connectionID)),
            (1...65535).contains(port)
        else { return nil }
        self.init(tunnelID: tunnelID, connectionID: connectionID, localPort: port)
    }

    /// The runner's trailers for a dial that failed.
    public static func dialErrorTrailers(_ reason: String) -> HPACKHeaders {
        [FabricDataStandbyAssignment.dialErrorHeader: String(reason.prefix(256))]
    }

    /// Trailer (and connection-stream request header) naming why the runner could not dial.
    public static let dialErrorHeader = "x-dial-error"
}
