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
    /// `tunnels.path_form_enabled`: off, `/tunnels/…` on the public port is the API's (404).
    var pathForm = true

    func route(target: String, host: String?) -> Route {
        if let host, let route = hostRoute(host) { return route }
        let prefix = "/tunnels/"
        guard pathForm, target.hasPrefix(prefix) else { return .api }
        let rest = target.dropFirst(prefix.count)
        let end = rest.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let id = String(rest[..<end])
        guard !id.isEmpty else { return .api }
        var forward = String(rest[end...])
        if forward.isEmpty || forward.hasPrefix("?") { forward = "/" + forward }
        return .path(id: id, target: forward)
    }

    /// The subdomain form's route for `host`, or nil when the host is not under the tunnel domain.
    /// Runs for every tunnel request, so it compares bytes and copies only a label it returns.
    private func hostRoute(_ host: String) -> Route? {
        var host = host
        return host.withUTF8 { bytes -> Route? in
            var end = bytes.count
            if bytes.first == UInt8(ascii: "[") {
                // An IPv6 literal never names the tunnel domain.
                return nil
            }
            if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) { end = colon }
            if end > 0, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            let domain = self.domain.utf8
            guard end >= domain.count, Self.equalsIgnoringCase(bytes[(end - domain.count)..<end], domain) else { return nil }
            if end == domain.count { return .unknownHost }
            let labelEnd = end - domain.count - 1
            guard bytes[labelEnd] == UInt8(ascii: ".") else { return nil }
            let label = bytes[..<labelEnd]
            guard !label.isEmpty, !label.contains(UInt8(ascii: ".")) else { return .unknownHost }
            return .subdomain(label: TunnelHostLabelText.normalize(Substring(String(decoding: label, as: UTF8.self))))
        }
    }

    /// `bytes` equals `lower` (lower-case) ignoring ASCII case.
    private static func equalsIgnoringCase(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ lower: String.UTF8View) -> Bool {
        guard bytes.count == lower.count else { return false }
        return zip(bytes, lower).allSatisfy { byte, expected in byte.asciiLowercased == expected }
    }
}
