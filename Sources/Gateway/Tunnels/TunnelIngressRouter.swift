/// Decides from a request head whether it is for the API or for a tunnel (api.md §9.2–9.3): the
/// subdomain form `{label}.<tunnels.domain>` by `Host`, the path form by a `/tunnels/{id}` prefix.
struct TunnelIngressRouter: Sendable {
    enum Route: Equatable, Sendable {
        case api
        /// Path form: the tunnel id, and the origin-form target to forward (prefix stripped).
        case path(id: String, target: String)
        /// Subdomain form: the normalized host label; the target is forwarded as is.
        case subdomain(label: String)
        /// A host under the tunnel domain that cannot name a tunnel (404).
        case unknownHost
    }

    /// Lower-case tunnel domain, e.g. `tunnels.localhost`.
    let domain: String

    func route(target: String, host: String?) -> Route {
        if let host {
            let name = Self.hostName(host)
            if name == domain { return .unknownHost }
            if name.hasSuffix("." + domain) {
                let label = name.dropLast(domain.count + 1)
                guard !label.isEmpty, !label.contains(".") else { return .unknownHost }
                return .subdomain(label: TunnelHostLabelText.normalize(label))
            }
        }
        let prefix = "/tunnels/"
        guard target.hasPrefix(prefix) else { return .api }
        let rest = target.dropFirst(prefix.count)
        let end = rest.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let id = String(rest[..<end])
        guard !id.isEmpty else { return .api }
        var forward = String(rest[end...])
        if forward.isEmpty || forward.hasPrefix("?") { forward = "/" + forward }
        return .path(id: id, target: forward)
    }

    /// The host without its port, lower-cased (`[v6]:port` keeps the brackets' content).
    static func hostName(_ host: String) -> String {
        var host = Substring(host.asciiLowercased())
        if host.hasPrefix("["), let close = host.utf8.firstIndex(of: UInt8(ascii: "]")) {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if let colon = host.utf8.lastIndex(of: UInt8(ascii: ":")) { host = host[..<colon] }
        if host.hasSuffix(".") { host = host.dropLast() }
        return String(host)
    }
}
