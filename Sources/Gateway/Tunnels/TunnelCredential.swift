import Foundation

/// The credential a tunnel request carries (api.md §9.4, first match wins), which of the request's
/// fields are not forwarded (every Marionette credential and `X-Marionette-*` header), and the
/// target without its query token.
struct TunnelCredential: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case none
        /// A `ttok_` token from the header, `Authorization: Bearer`, the query or the Basic password.
        case tunnelToken(String)
        /// `Authorization: Bearer mk_…`: an API key that needs `tunnels:read`.
        case apiKey(String)
    }

    var kind: Kind
    /// Indices of the head's fields not to forward (credentials and `X-Marionette-*`), ascending.
    var dropped: [Int]
    /// The target with `marionette_token` removed from the query.
    var target: String

    /// The head's fields that are forwarded.
    func keptHeaders(of head: HTTPHead) -> [(name: String, value: String)] {
        head.headers.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    }

    static func extract(_ head: HTTPHead, target: String) -> TunnelCredential {
        var header: String?
        var bearerTunnel: String?
        var basicTunnel: String?
        var bearerKey: String?
        var dropped: [Int] = []
        for index in head.fields.indices {
            // Field names are compared in place: this runs for every request of a tunnel.
            if head.nameHasPrefix(index, "x-marionette-") {
                if header == nil, head.nameIs(index, "x-marionette-tunnel-token") { header = head.value(at: index) }
                dropped.append(index)
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
        if let token = header ?? bearerTunnel ?? queryToken ?? basicTunnel {
            kind = .tunnelToken(token)
        } else if let key = bearerKey {
            kind = .apiKey(key)
        } else {
            kind = .none
        }
        return TunnelCredential(kind: kind, dropped: dropped, target: stripped)
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
