import Foundation

/// The credential a tunnel request carries (api.md §9.4, first match wins) and the request with
/// every Marionette credential and `X-Marionette-*` header removed, ready to forward.
struct TunnelCredential: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case none
        /// A `ttok_` token from the header, `Authorization: Bearer`, the query or the Basic password.
        case tunnelToken(String)
        /// `Authorization: Bearer mk_…`: an API key that needs `tunnels:read`.
        case apiKey(String)
    }

    var kind: Kind
    /// Headers to forward (credentials and `X-Marionette-*` removed).
    var headers: [(name: String, value: String)]
    /// The target with `marionette_token` removed from the query.
    var target: String

    static func == (a: TunnelCredential, b: TunnelCredential) -> Bool {
        a.kind == b.kind && a.target == b.target
            && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    static func extract(headers: [(name: String, value: String)], target: String) -> TunnelCredential {
        var header: String?
        var bearerTunnel: String?
        var basicTunnel: String?
        var bearerKey: String?
        var kept: [(name: String, value: String)] = []
        for field in headers {
            let name = field.name.asciiLowercased()
            if name == "x-marionette-tunnel-token" {
                if header == nil { header = field.value }
                continue
            }
            if name.hasPrefix("x-marionette-") { continue }
            if name == "authorization" {
                let parts = field.value.split(separator: " ", maxSplits: 1)
                if parts.count == 2 {
                    let scheme = parts[0].asciiLowercased()
                    let value = parts[1].trimmingASCIISpaces()
                    if scheme == "bearer", value.hasPrefix("ttok_") {
                        bearerTunnel = bearerTunnel ?? value
                        continue
                    }
                    if scheme == "bearer", value.hasPrefix("mk_") {
                        bearerKey = bearerKey ?? value
                        continue
                    }
                    if scheme == "basic", let decoded = Data(base64Encoded: value),
                        let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
                    {
                        let password = String(text[text.index(after: colon)...])
                        if password.hasPrefix("ttok_") {
                            basicTunnel = basicTunnel ?? password
                            continue
                        }
                    }
                }
            }
            kept.append(field)
        }
        let (stripped, queryToken) = Self.removeQueryToken(target)
        let kind: Kind
        if let token = header ?? bearerTunnel ?? queryToken ?? basicTunnel {
            kind = .tunnelToken(token)
        } else if let key = bearerKey {
            kind = .apiKey(key)
        } else {
            kind = .none
        }
        return TunnelCredential(kind: kind, headers: kept, target: stripped)
    }

    /// Removes every `marionette_token` query parameter; returns the first one's (percent-decoded) value.
    static func removeQueryToken(_ target: String) -> (String, String?) {
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, nil) }
        let path = target[..<question]
        var fragment = ""
        var query = target[target.index(after: question)...]
        if let hash = query.firstIndex(of: "#") {
            fragment = String(query[hash...])
            query = query[..<hash]
        }
        var token: String?
        var kept: [Substring] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
            let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            if key == "marionette_token" {
                if token == nil {
                    let value = pair.dropFirst(key.count + 1)
                    token = String(value).removingPercentEncoding ?? String(value)
                }
                continue
            }
            kept.append(pair)
        }
        guard token != nil else { return (target, nil) }
        let rest = kept.joined(separator: "&")
        return (String(path) + (rest.isEmpty ? "" : "?" + rest) + fragment, token)
    }
}
