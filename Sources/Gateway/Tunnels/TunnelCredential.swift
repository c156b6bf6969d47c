import Foundation

/// The credential a tunnel request carries (api.md §9.4, first match wins), which of the request's
/// fields are not forwarded (every Marionette credential and `X-Marionette-*` header), and the
/// target without its query token.
struct TunnelCredential: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case none
        /// A `ttok_` token from the header, `Authorization: Bearer`, the query, the tunnel's cookie
        /// or the Basic password.
        case tunnelToken(String)
        /// `Authorization: Bearer mk_…`: an API key that needs `tunnels:read`.
        case apiKey(String)
    }

    /// The cookie a browser keeps a tunnel token in after the query-token flow (api.md §9.4).
    static let cookiePrefix = "marionette_tunnel_"

    var kind: Kind
    /// Indices of the head's fields not to forward (credentials and `X-Marionette-*`), ascending.
    var dropped: [Int]
    /// The target with `marionette_token` removed from the query.
    var target: String
    /// The token came from the query (`marionette_token`): a browser's GET is answered with the
    /// cookie and a 303 to ``target`` instead of being forwarded.
    var fromQuery = false
    /// A `Cookie` field that held a tunnel cookie, by index, with what is forwarded of it (the
    /// other cookies).
    struct RewrittenCookies: Sendable, Equatable {
        var index: Int
        var value: String
    }

    /// Such fields; one with nothing else left is in ``dropped`` instead.
    var rewrittenCookies: [RewrittenCookies] = []

    /// The head's fields that are forwarded.
    func keptHeaders(of head: HTTPHead) -> [(name: String, value: String)] {
        head.headers.enumerated().filter { !dropped.contains($0.offset) }.map { index, field in
            (field.name, rewrittenCookies.first { $0.index == index }?.value ?? field.value)
        }
    }

    static func extract(_ head: HTTPHead, target: String) -> TunnelCredential {
        var header: String?
        var bearerTunnel: String?
        var basicTunnel: String?
        var bearerKey: String?
        var cookieToken: String?
        var rewrittenCookies: [RewrittenCookies] = []
        var dropped: [Int] = []
        for index in head.fields.indices {
            // Field names are compared in place: this runs for every request of a tunnel.
            if head.nameHasPrefix(index, "x-marionette-") {
                if header == nil, head.nameIs(index, "x-marionette-tunnel-token") { header = head.value(at: index) }
                dropped.append(index)
                continue
            }
            if head.nameIs(index, "cookie") {
                let value = head.value(at: index)
                // A byte search (Foundation's `contains` bridges to CFString).
                guard value.utf8.firstRange(of: cookiePrefix.utf8) != nil else { continue }
                var others: [Substring] = []
                for pair in value.split(separator: ";") {
                    let trimmed = pair.trimmingASCIISpaces()
                    guard trimmed.utf8.starts(with: cookiePrefix.utf8), let equals = trimmed.firstIndex(of: "=") else {
                        others.append(Substring(trimmed))
                        continue
                    }
                    cookieToken = cookieToken ?? String(trimmed[trimmed.index(after: equals)...])
                }
                if others.isEmpty {
                    dropped.append(index)
                } else {
                    rewrittenCookies.append(RewrittenCookies(index: index, value: others.joined(separator: "; ")))
                }
                continue
            }
            guard head.nameIs(index, "authorization") else { continue }
            let parts = head.value(at: index).split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let scheme = parts[0].asciiLowercased()
            let value = parts[1].trimmingASCIISpaces()
            if scheme == "bearer", value.hasPrefix("ttok_") {
                bearerTunnel = bearerTunnel ?? value
                dropped.append(index)
            } else if scheme == "bearer", value.hasPrefix("mk_") {
                bearerKey = bearerKey ?? value
                dropped.append(index)
            } else if scheme == "basic", let decoded = Data(base64Encoded: value),
                let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":"),
                text[text.index(after: colon)...].hasPrefix("ttok_")
            {
                basicTunnel = basicTunnel ?? String(text[text.index(after: colon)...])
                dropped.append(index)
            }
        }
        let (stripped, queryToken) = Self.removeQueryToken(target)
        let kind: Kind
        if let token = header ?? bearerTunnel ?? queryToken ?? cookieToken ?? basicTunnel {
            kind = .tunnelToken(token)
        } else if let key = bearerKey {
            kind = .apiKey(key)
        } else {
            kind = .none
        }
        return TunnelCredential(
            kind: kind, dropped: dropped, target: stripped,
            fromQuery: header == nil && bearerTunnel == nil && queryToken != nil, rewrittenCookies: rewrittenCookies)
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
