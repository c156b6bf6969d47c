import NIOCore

/// Rewrites heads crossing an HTTP tunnel (streaming.md §7.2–7.3). Bodies are not touched: the
/// ingress forwards them as raw bytes with their own framing, so `Content-Length` and
/// `Transfer-Encoding` pass through unchanged, after the request's framing was checked here.
/// Heads are written straight into buffers, fields copied as byte ranges of the head read.
struct TunnelHTTPRewriter: Sendable {
    enum Failure: Error, Equatable {
        /// 400 `invalid_request` with this message.
        case badRequest(String)
    }

    struct Request: Sendable, Equatable {
        /// The head to send upstream.
        var head: ByteBuffer
        /// A WebSocket (or other) upgrade: the response may be 101, then the pipe is raw.
        var isUpgrade: Bool
        /// The client keeps the connection open after this exchange (HTTP/1.1 without
        /// `Connection: close`, or HTTP/1.0 with `keep-alive`).
        var keepAlive: Bool
    }

    /// The tunnel's port inside the runner (`Host: localhost:<port>` in rewrite mode).
    let localPort: Int
    /// `host_header`: `rewrite` or `preserve`.
    var preserveHost: Bool
    /// Path form: `/tunnels/<id>` (re-prefixes `Location`, sets `X-Forwarded-Prefix`); nil for subdomains.
    var pathPrefix: String?
    /// `http` or `https` as the client used it.
    var scheme: String
    /// The client's address (socket peer).
    var clientIP: String {
        didSet { forwardedFor = Self.forwardedNode(clientIP) }
    }
    /// The socket peer is a trusted proxy (`server.trusted_proxies`): the `X-Forwarded-For` it sent
    /// goes on, with `clientIP` added; from anyone else it is replaced by `clientIP`.
    var keepsForwardedFor: Bool
    /// `localhost:<localPort>`, made once rather than per request.
    private let localHost: String
    /// The host (and port) the client reached the tunnel by, its first request's `Host`: where an
    /// absolute `Location` to the origin is sent instead. Nil: such a `Location` passes as it is.
    var publicHost: String?
    /// `http://localhost:<port>` and its other spellings, lower-case bytes.
    private let originPrefixes: [[UInt8]]
    /// `clientIP` as a `Forwarded: for=` node, made once.
    private var forwardedFor: String

    /// An IPv6 address bracketed and quoted (a byte search: `String.contains` goes through
    /// Foundation's CFStringFind, which cost a sixth of this rewriter's time per request).
    private static func forwardedNode(_ ip: String) -> String {
        ip.utf8.contains(UInt8(ascii: ":")) ? "\"[\(ip)]\"" : ip
    }

    init(localPort: Int, preserveHost: Bool, pathPrefix: String?, scheme: String, clientIP: String, keepsForwardedFor: Bool = false) {
        self.localPort = localPort
        self.preserveHost = preserveHost
        self.pathPrefix = pathPrefix
        self.scheme = scheme
        self.clientIP = clientIP
        self.forwardedFor = Self.forwardedNode(clientIP)
        self.keepsForwardedFor = keepsForwardedFor
        self.localHost = "localhost:\(localPort)"
        self.originPrefixes = ["http", "https"].flatMap { scheme in
            ["localhost", "127.0.0.1", "[::1]"].map { Array("\(scheme)://\($0):\(localPort)".utf8) }
        }
    }

    /// Hop-by-hop fields, dropped both ways.
    static func isHopByHop(_ field: HTTPHead.Field, in raw: UnsafeRawBufferPointer) -> Bool {
        // Every hop-by-hop name is 2 to 19 bytes; most fields fail on the length alone.
        switch field.nameEnd - field.nameStart {
        case 2: return HTTPHead.nameIs(field, "te", in: raw)
        case 7: return HTTPHead.nameIs(field, "trailer", in: raw) || HTTPHead.nameIs(field, "upgrade", in: raw)
        case 10: return HTTPHead.nameIs(field, "connection", in: raw) || HTTPHead.nameIs(field, "keep-alive", in: raw)
        case 16: return HTTPHead.nameIs(field, "proxy-connection", in: raw)
        case 18: return HTTPHead.nameIs(field, "proxy-authenticate", in: raw)
        case 19: return HTTPHead.nameIs(field, "proxy-authorization", in: raw)
        default: return false
        }
    }

    /// Writes the field's name: the WebSocket fields in their registered case (some servers compare
    /// them case-sensitively), else the name as received.
    static func writeName(_ field: HTTPHead.Field, from raw: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        if HTTPHead.nameHasPrefix(field, "sec-websocket-", in: raw) {
            for (name, canonical): (StaticString, StaticString) in [
                ("sec-websocket-key", "Sec-WebSocket-Key"), ("sec-websocket-version", "Sec-WebSocket-Version"),
                ("sec-websocket-protocol", "Sec-WebSocket-Protocol"), ("sec-websocket-extensions", "Sec-WebSocket-Extensions"),
                ("sec-websocket-accept", "Sec-WebSocket-Accept"),
            ] where HTTPHead.nameIs(field, name, in: raw) {
                out.writeStaticString(canonical)
                return
            }
        }
        out.writeBytes(UnsafeRawBufferPointer(rebasing: raw[Int(field.nameStart)..<Int(field.nameEnd)]))
    }

    /// From a trusted proxy, the elements it sent in every `name` field, each followed by `, ` for
    /// this hop's own; from anyone else nothing (the client's values are replaced).
    private func writeTrustedChain(_ name: StaticString, of head: HTTPHead, from raw: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        guard keepsForwardedFor else { return }
        for field in head.fields where HTTPHead.nameIs(field, name, in: raw) && field.valueEnd > field.valueStart {
            Self.writeValue(field, from: raw, to: &out)
            out.writeStaticString(", ")
        }
    }

    /// The field's value is not empty and fits in a quoted-string as it is (no `"`, `\\` or controls).
    private static func isQuotable(_ field: HTTPHead.Field, in raw: UnsafeRawBufferPointer) -> Bool {
        guard field.valueEnd > field.valueStart else { return false }
        for index in Int(field.valueStart)..<Int(field.valueEnd) {
            let byte = raw[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte == 0x7F { return false }
        }
        return true
    }

    private static func writeValue(_ field: HTTPHead.Field, from raw: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        out.writeBytes(UnsafeRawBufferPointer(rebasing: raw[Int(field.valueStart)..<Int(field.valueEnd)]))
    }

    /// The upstream request head. `head` is the client's request; `credential` names its fields
    /// that carry Marionette credentials (not forwarded) and `target` is the target to send.
    func request(_ head: HTTPHead, credential: TunnelCredential, target: String) throws(Failure) -> Request {
        let method = head.startLine.0
        let version = head.startLine.2
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw .badRequest("unsupported HTTP version \"\(version.prefix(16))\"")
        }
        guard method.utf8.allSatisfy(HTTPHeadParser.isTokenByte) else { throw .badRequest("invalid method") }
        guard target.utf8.first == UInt8(ascii: "/"), !target.utf8.contains(UInt8(ascii: " ")) else {
            throw .badRequest("request target must be a path")
        }
        // Framing (no request smuggling): one length or chunked, never both, no conflicting lengths.
        let length = head.contentLength
        if let chunkedLast = head.lastToken("transfer-encoding", is: "chunked") {
            guard length == .absent else { throw .badRequest("both Content-Length and Transfer-Encoding are set") }
            guard chunkedLast, head.tokens("transfer-encoding").count == 1 else {
                throw .badRequest("only Transfer-Encoding: chunked is accepted")
            }
        }
        switch length {
        case .conflicting: throw .badRequest("conflicting Content-Length values")
        case .invalid: throw .badRequest("invalid Content-Length")
        case .absent, .value: break
        }

        let upgradeIndex = head.firstIndex("upgrade")
        let isUpgrade = upgradeIndex != nil && head.hasToken("connection", "upgrade")
        let keepAlive = Self.keepsAlive(version: version, head)
        let hostIndex = head.firstIndex("host")
        let hasConnection = head.firstIndex("connection") != nil
        var out = ByteBuffer()
        out.reserveCapacity(head.bytes.readableBytes + target.utf8.count + 192)
        // An HTTP/1.0 client goes upstream as HTTP/1.0, so the origin does not answer chunked.
        out.writeString(method)
        out.writeStaticString(" ")
        out.writeString(target)
        out.writeStaticString(" ")
        out.writeString(version)
        out.writeStaticString("\r\nHost: ")
        head.withBytes { raw in
            if preserveHost, let hostIndex, head.fields[hostIndex].valueEnd > head.fields[hostIndex].valueStart {
                Self.writeValue(head.fields[hostIndex], from: raw, to: &out)
            } else {
                out.writeString(localHost)
            }
            out.writeStaticString("\r\n")
            var dropped = credential.dropped.makeIterator()
            var nextDropped = dropped.next()
            for index in head.fields.indices {
                if index == nextDropped {
                    nextDropped = dropped.next()
                    continue
                }
                let field = head.fields[index]
                if HTTPHead.nameIs(field, "host", in: raw) || Self.isHopByHop(field, in: raw) { continue }
                if HTTPHead.nameHasPrefix(field, "x-forwarded-", in: raw) || HTTPHead.nameIs(field, "forwarded", in: raw) { continue }
                if hasConnection, head.isListedInConnection(index) { continue }
                Self.writeName(field, from: raw, to: &out)
                out.writeStaticString(": ")
                if let cookies = credential.rewrittenCookies.first(where: { $0.index == index }) {
                    // The other cookies of a field that held the tunnel's cookie.
                    out.writeString(cookies.value)
                } else {
                    Self.writeValue(field, from: raw, to: &out)
                }
                out.writeStaticString("\r\n")
            }
            out.writeStaticString("X-Forwarded-For: ")
            writeTrustedChain("x-forwarded-for", of: head, from: raw, to: &out)
            out.writeString(clientIP)
            out.writeStaticString("\r\nX-Forwarded-Proto: ")
            out.writeString(scheme)
            out.writeStaticString("\r\n")
            if let hostIndex, head.fields[hostIndex].valueEnd > head.fields[hostIndex].valueStart {
                out.writeStaticString("X-Forwarded-Host: ")
                Self.writeValue(head.fields[hostIndex], from: raw, to: &out)
                out.writeStaticString("\r\n")
            }
            if let pathPrefix {
                out.writeStaticString("X-Forwarded-Prefix: ")
                out.writeString(pathPrefix)
                out.writeStaticString("\r\n")
            }
            // RFC 7239, the same facts (streaming.md §7.3); a trusted proxy's elements go first.
            out.writeStaticString("Forwarded: ")
            writeTrustedChain("forwarded", of: head, from: raw, to: &out)
            out.writeStaticString("for=")
            out.writeString(forwardedFor)
            out.writeStaticString(";proto=")
            out.writeString(scheme)
            if let hostIndex, Self.isQuotable(head.fields[hostIndex], in: raw) {
                out.writeStaticString(";host=\"")
                Self.writeValue(head.fields[hostIndex], from: raw, to: &out)
                out.writeStaticString("\"")
            }
            out.writeStaticString("\r\n")
            // TE is hop-by-hop but for `trailers` (the client takes trailers: gRPC-Web and the like).
            if head.hasToken("te", "trailers") { out.writeStaticString("TE: trailers\r\n") }
            if isUpgrade, let upgradeIndex {
                out.writeStaticString("Connection: Upgrade\r\nUpgrade: ")
                Self.writeValue(head.fields[upgradeIndex], from: raw, to: &out)
                out.writeStaticString("\r\n")
            } else if !keepAlive {
                out.writeStaticString("Connection: close\r\n")
            } else if version == "HTTP/1.0" {
                out.writeStaticString("Connection: keep-alive\r\n")
            }
        }
        out.writeStaticString("\r\n")
        return Request(head: out, isUpgrade: isUpgrade, keepAlive: keepAlive)
    }

    /// HTTP/1.1 keeps a connection unless `close` is listed; HTTP/1.0 only with `keep-alive`.
    static func keepsAlive(version: String, _ head: HTTPHead) -> Bool {
        if head.hasToken("connection", "close") { return false }
        return version == "HTTP/1.1" || head.hasToken("connection", "keep-alive")
    }

    /// The client-facing response head. 101 keeps `Upgrade` and turns the connection into a pipe;
    /// other final responses say `Connection: close` unless the connection stays open after them
    /// (`keepAlive`, decided by the ingress from both sides and the body's framing). The buffer has
    /// room for `reserving` more bytes (a small body copied after it).
    func response(_ head: HTTPHead, keepAlive: Bool = false, reserving: Int = 0) -> ByteBuffer {
        let status = head.startLine.1
        let reason = head.startLine.2
        let switching = status == "101"
        let hasConnection = head.firstIndex("connection") != nil
        var out = ByteBuffer()
        out.reserveCapacity(head.bytes.readableBytes + 64 + (pathPrefix?.utf8.count ?? 0) + reserving)
        out.writeStaticString("HTTP/1.1 ")
        out.writeString(status)
        if !reason.isEmpty {
            out.writeStaticString(" ")
            out.writeString(reason)
        }
        out.writeStaticString("\r\n")
        head.withBytes { raw in
            for index in head.fields.indices {
                let field = head.fields[index]
                if switching, HTTPHead.nameIs(field, "upgrade", in: raw) {
                    out.writeStaticString("Upgrade: ")
                    Self.writeValue(field, from: raw, to: &out)
                    out.writeStaticString("\r\n")
                    continue
                }
                if Self.isHopByHop(field, in: raw) || (hasConnection && head.isListedInConnection(index)) { continue }
                Self.writeName(field, from: raw, to: &out)
                out.writeStaticString(": ")
                if HTTPHead.nameIs(field, "location", in: raw), field.valueEnd > field.valueStart {
                    writeLocation(field, from: raw, to: &out)
                } else {
                    Self.writeValue(field, from: raw, to: &out)
                }
                out.writeStaticString("\r\n")
            }
        }
        if switching {
            out.writeStaticString("Connection: Upgrade\r\n")
        } else if Int(status).map({ (100..<200).contains($0) }) != true, !keepAlive {
            out.writeStaticString("Connection: close\r\n")
        }
        out.writeStaticString("\r\n")
        return out
    }

    /// `Location` as the client must follow it (streaming.md §7.3): an absolute URL to the origin
    /// itself (`http://localhost:<port>`, `127.0.0.1`, `[::1]`) points at the tunnel's public URL
    /// (the host the client used, and the path form's prefix); a path starting with `/` gets the
    /// path form's prefix; anything else passes as it is.
    private func writeLocation(_ field: HTTPHead.Field, from raw: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        let start = Int(field.valueStart)
        let end = Int(field.valueEnd)
        let value = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        if let publicHost, let originLength = originPrefixLength(value) {
            out.writeString(scheme)
            out.writeStaticString("://")
            out.writeString(publicHost)
            if let pathPrefix { out.writeString(pathPrefix) }
            let rest = UnsafeRawBufferPointer(rebasing: value[originLength...])
            if rest.first != UInt8(ascii: "/") { out.writeStaticString("/") }
            out.writeBytes(rest)
            return
        }
        if let pathPrefix, value[0] == UInt8(ascii: "/"), value.count == 1 || value[1] != UInt8(ascii: "/") {
            out.writeString(pathPrefix)
        }
        out.writeBytes(value)
    }

    /// The length of `http://localhost:<port>` (or `127.0.0.1`, `[::1]`; `https` too, any case) at the
    /// start of `value` when what follows ends the authority; nil otherwise.
    private func originPrefixLength(_ value: UnsafeRawBufferPointer) -> Int? {
        for origin in originPrefixes where value.count >= origin.count {
            var matches = true
            for (offset, byte) in origin.enumerated() where Self.lowercased(value[offset]) != byte {
                matches = false
                break
            }
            guard matches else { continue }
            if value.count == origin.count { return origin.count }
            let next = value[origin.count]
            if next == UInt8(ascii: "/") || next == UInt8(ascii: "?") || next == UInt8(ascii: "#") { return origin.count }
        }
        return nil
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
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

    /// The answer to a browser's GET with `marionette_token` (api.md §9.4): the token goes into a
    /// host-only cookie for this tunnel (HttpOnly, SameSite=Lax, Secure over TLS, no longer than the
    /// tunnel lives; scoped to `/tunnels/{id}/` for the path form), and a 303 sends the browser to
    /// the same URL without the token, so it leaves the address bar and the history.
    static func cookieRedirect(
        location: String, tunnelID: String, token: String, pathPrefix: String?, secure: Bool, maxAgeSeconds: Int64
    ) -> String {
        var cookie = "\(TunnelCredential.cookiePrefix)\(tunnelID)=\(token); Path=\(pathPrefix.map { $0 + "/" } ?? "/")"
        cookie += "; Max-Age=\(max(maxAgeSeconds, 0)); HttpOnly; SameSite=Lax"
        if secure { cookie += "; Secure" }
        return "HTTP/1.1 303 See Other\r\nLocation: \(location)\r\nSet-Cookie: \(cookie)\r\nCache-Control: no-store\r\n"
            + "Content-Length: 0\r\nConnection: close\r\n\r\n"
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
