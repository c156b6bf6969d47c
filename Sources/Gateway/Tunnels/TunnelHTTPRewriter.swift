/// Rewrites heads crossing an HTTP tunnel (streaming.md §7.2–7.3). Bodies are not touched: the
/// ingress forwards them as raw bytes with their own framing, so `Content-Length` and
/// `Transfer-Encoding` pass through unchanged, after the request's framing was checked here.
struct TunnelHTTPRewriter: Sendable {
    enum Failure: Error, Equatable {
        /// 400 `invalid_request` with this message.
        case badRequest(String)
    }

    struct Request: Sendable, Equatable {
        /// The head to send upstream.
        var head: String
        /// A WebSocket (or other) upgrade: the response may be 101, then the pipe is raw.
        var isUpgrade: Bool
        /// The client keeps the connection open after this exchange (HTTP/1.1 without
        /// `Connection: close`, or HTTP/1.0 with `keep-alive`).
        var keepAlive: Bool
    }

    /// The tunnel's port inside the runner (`Host: localhost:<port>` in rewrite mode).
    var localPort: Int
    /// `host_header`: `rewrite` or `preserve`.
    var preserveHost: Bool
    /// Path form: `/tunnels/<id>` (re-prefixes `Location`, sets `X-Forwarded-Prefix`); nil for subdomains.
    var pathPrefix: String?
    /// `http` or `https` as the client used it.
    var scheme: String
    /// The client's address (socket peer).
    var clientIP: String

    /// Hop-by-hop fields (`name` lower-case), dropped both ways.
    static func isHopByHop(_ name: String) -> Bool {
        switch name {
        case "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
            "upgrade":
            return true
        default:
            return false
        }
    }

    /// The spelling to send for `name` (lower-case): the WebSocket fields in their registered case
    /// (some servers compare them case-sensitively), else the name as received.
    static func canonicalName(_ name: String, received: String) -> String {
        guard name.hasPrefix("sec-websocket-") else { return received }
        switch name {
        case "sec-websocket-key": return "Sec-WebSocket-Key"
        case "sec-websocket-version": return "Sec-WebSocket-Version"
        case "sec-websocket-protocol": return "Sec-WebSocket-Protocol"
        case "sec-websocket-extensions": return "Sec-WebSocket-Extensions"
        case "sec-websocket-accept": return "Sec-WebSocket-Accept"
        default: return received
        }
    }

    /// The upstream request head. `head` is the client's request (for its start line and framing);
    /// `credential` carries the headers and target with Marionette credentials already removed.
    func request(_ head: HTTPHead, credential: TunnelCredential, target: String) throws(Failure) -> Request {
        let method = head.startLine.0
        let version = head.startLine.2
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw .badRequest("unsupported HTTP version \"\(version.prefix(16))\"")
        }
        guard method.utf8.allSatisfy(HTTPHeadParser.isTokenByte) else { throw .badRequest("invalid method") }
        guard target.hasPrefix("/"), !target.contains(" ") else { throw .badRequest("request target must be a path") }
        // Framing (no request smuggling): one length or chunked, never both, no conflicting lengths.
        let lengths = head.contentLengths
        let encodings = head.tokens("transfer-encoding")
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw .badRequest("both Content-Length and Transfer-Encoding are set") }
            guard encodings == ["chunked"] else { throw .badRequest("only Transfer-Encoding: chunked is accepted") }
        }
        if lengths.count > 1 { throw .badRequest("conflicting Content-Length values") }
        if let length = lengths.first, UInt64(length) == nil { throw .badRequest("invalid Content-Length") }

        let connectionTokens = head.tokens("connection")
        let upgrade = head.first("upgrade")
        let isUpgrade = upgrade != nil && connectionTokens.contains("upgrade")
        let keepAlive = Self.keepsAlive(version: version, connectionTokens)
        // An HTTP/1.0 client goes upstream as HTTP/1.0, so the origin does not answer chunked.
        var out = "\(method) \(target) \(version)\r\n"
        out.reserveCapacity(256 + head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        let originalHost = head.first("host") ?? ""
        out += "Host: " + (preserveHost && !originalHost.isEmpty ? originalHost : "localhost:\(localPort)") + "\r\n"
        for field in credential.headers {
            let name = field.name.asciiLowercased()
            if name == "host" || Self.isHopByHop(name) || connectionTokens.contains(name) { continue }
            if name.hasPrefix("x-forwarded-") || name == "forwarded" { continue }
            out += Self.canonicalName(name, received: field.name)
            out += ": "
            out += field.value
            out += "\r\n"
        }
        out += "X-Forwarded-For: \(clientIP)\r\nX-Forwarded-Proto: \(scheme)\r\n"
        if !originalHost.isEmpty { out += "X-Forwarded-Host: \(originalHost)\r\n" }
        if let pathPrefix { out += "X-Forwarded-Prefix: \(pathPrefix)\r\n" }
        if isUpgrade, let upgrade {
            out += "Connection: Upgrade\r\nUpgrade: \(upgrade)\r\n"
        } else if !keepAlive {
            out += "Connection: close\r\n"
        } else if version == "HTTP/1.0" {
            out += "Connection: keep-alive\r\n"
        }
        out += "\r\n"
        return Request(head: out, isUpgrade: isUpgrade, keepAlive: keepAlive)
    }

    /// HTTP/1.1 keeps a connection unless `close` is listed; HTTP/1.0 only with `keep-alive`.
    static func keepsAlive(version: String, _ connectionTokens: [String]) -> Bool {
        if connectionTokens.contains("close") { return false }
        return version == "HTTP/1.1" || connectionTokens.contains("keep-alive")
    }

    /// The client-facing response head. 101 keeps `Upgrade` and turns the connection into a pipe;
    /// other final responses say `Connection: close` unless the connection stays open after them
    /// (`keepAlive`, decided by the ingress from both sides and the body's framing).
    func response(_ head: HTTPHead, keepAlive: Bool = false) -> String {
        let status = head.startLine.1
        let reason = head.startLine.2
        let connectionTokens = head.tokens("connection")
        let switching = status == "101"
        var out = "HTTP/1.1 \(status)\(reason.isEmpty ? "" : " " + reason)\r\n"
        out.reserveCapacity(128 + head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        for (index, field) in head.headers.enumerated() {
            let name = head.keys[index]
            if switching, name == "upgrade" {
                out += "Upgrade: \(field.value)\r\n"
                continue
            }
            if Self.isHopByHop(name) || connectionTokens.contains(name) { continue }
            out += Self.canonicalName(name, received: field.name)
            out += ": "
            if name == "location", let pathPrefix, field.value.hasPrefix("/"), !field.value.hasPrefix("//") {
                out += pathPrefix
            }
            out += field.value
            out += "\r\n"
        }
        if switching {
            out += "Connection: Upgrade\r\n"
        } else if Int(status).map({ (100..<200).contains($0) }) != true, !keepAlive {
            out += "Connection: close\r\n"
        }
        out += "\r\n"
        return out
    }

    /// A Marionette-generated error (`{code, message}` and `X-Marionette-Error`); the connection closes after it.
    static func errorResponse(status: Int, code: String, message: String, extraHeaders: [(String, String)] = []) -> String {
        let body = #"{"code":"\#(jsonEscape(code))","message":"\#(jsonEscape(message))"}"#
        var out = "HTTP/1.1 \(status) \(reason(status))\r\n"
        out += "Content-Type: application/json\r\nX-Marionette-Error: \(code)\r\n"
        for (name, value) in extraHeaders { out += "\(name): \(value)\r\n" }
        out += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        return out
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 410: return "Gone"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Error"
        }
    }

    static func jsonEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
