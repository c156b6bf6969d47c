/// What a data-connection request asks for, from its `:method` and `:path` (runner-protocol.md §10).
public enum FabricDataRoute: Sendable, Hashable {
    /// `GET /v1/health`: the agent's probe, answered `200 ok`.
    case health
    /// `POST /v1/tunnels/{tunnel_id}/connections/{connection_id}`: one proxied connection's bytes.
    case tunnelConnection(tunnelID: String, connectionID: String)
    /// `POST /v1/tunnels/standby`: an idle stream held for the next connection (``FabricDataStandby``).
    case tunnelStandby
    /// A known path with the wrong method (answered 405).
    case methodNotAllowed
    /// Anything else (answered 404).
    case notFound

    /// Parses a request. The query string is ignored; IDs must satisfy ``isValidIdentifier(_:)``
    /// (no percent-decoding: an ID that needs escaping is not a valid ID).
    public init(method: String, path: String) {
        var path = Substring(path)
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            path = path[..<cut]
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // A path must be absolute: the first element is the empty string before the leading "/".
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "v1" else {
            self = .notFound
            return
        }
        if parts.count == 3, parts[2] == "health" {
            self = method == "GET" || method == "HEAD" ? .health : .methodNotAllowed
            return
        }
        if parts.count == 4, parts[2] == "tunnels", parts[3] == "standby" {
            self = method == "POST" ? .tunnelStandby : .methodNotAllowed
            return
        }
        if parts.count == 6, parts[2] == "tunnels", parts[4] == "connections",
            Self.isValidIdentifier(parts[3]), Self.isValidIdentifier(parts[5])
        {
            self =
                method == "POST"
                ? .tunnelConnection(tunnelID: String(parts[3]), connectionID: String(parts[5]))
                : .methodNotAllowed
            return
        }
        self = .notFound
    }

    /// The request path of a tunnel connection stream.
    public static func tunnelConnectionPath(tunnelID: String, connectionID: String) -> String {
        "/v1/tunnels/\(tunnelID)/connections/\(connectionID)"
    }

    /// 1...128 characters of `[A-Za-z0-9._-]`, not `.` or `..`.
    public static func isValidIdentifier(_ id: Substring) -> Bool {
        guard (1...128).contains(id.utf8.count), id != ".", id != ".." else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }
}
