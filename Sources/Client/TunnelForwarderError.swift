/// Why `mctl tunnels connect` cannot start forwarding.
public enum TunnelForwarderError: Error, Sendable, Equatable, CustomStringConvertible {
    case portInUse(host: String, port: Int)
    case permissionDenied(host: String, port: Int)
    case tlsNeedsHostName(String)

    public var description: String {
        switch self {
        case .portInUse(let host, let port):
            return "port \(port) on \(host) is already in use: pick another with --local-port, or stop the program listening there"
        case .permissionDenied(let host, let port):
            return "not allowed to listen on \(host):\(port) (ports below 1024 need privileges): pick another with --local-port"
        case .tlsNeedsHostName(let authority):
            return "over TLS the server must be named by its host name, not the address \(authority) (for example --server https://localhost:PORT)"
        }
    }
}
