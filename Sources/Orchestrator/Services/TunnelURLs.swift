import Foundation

/// How tunnel URLs are spelled: from `server.public_url` and `tunnels.domain` / `tunnels.url_mode`.
public struct TunnelURLs: Sendable, Equatable {
    /// `http` or `https`.
    public var scheme: String
    /// Host of the public URL (no port).
    public var host: String
    /// `:8080` or empty when the public URL has no explicit port.
    public var portSuffix: String
    /// The public URL without a trailing slash.
    public var base: String
    public var domain: String
    public var mode: String
    /// `tunnels.path_form_enabled`: off, tunnels have no path URL.
    public var pathForm: Bool

    public init(publicURL: String, domain: String, mode: String, pathForm: Bool = true) {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.domain = domain
        self.mode = mode
        self.pathForm = pathForm
        var rest = Substring(base)
        scheme = "http"
        if let range = rest.range(of: "://") {
            scheme = String(rest[..<range.lowerBound]).lowercased()
            rest = rest[range.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        // [v6]:port, host:port or host
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            portSuffix = after.hasPrefix(":") ? String(after) : ""
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portSuffix = String(rest[colon...])
        } else {
            host = String(rest)
            portSuffix = ""
        }
    }

    public func pathURL(_ id: String) -> String { base + "/tunnels/" + id + "/" }
    public func subdomainURL(_ label: String) -> String { scheme + "://" + label + "." + domain + portSuffix + "/" }

    static func hostForURL(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}
