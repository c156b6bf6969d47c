import Foundation
import NIOCore
import Testing

@testable import Gateway

/// The pure parts of the HTTP tunnel ingress: head parsing, routing, credentials, rewriting.
@Suite struct TunnelHTTPTests {
    static func head(_ text: String) throws -> HTTPHead {
        guard case .head(let head, let length) = HTTPHeadParser.parse(Array(text.utf8)) else {
            throw TestFailure("not a head: \(text)")
        }
        #expect(length <= text.utf8.count)
        return head
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func parsesHeadsStrictly() throws {
        let text = "POST /a?b=1 HTTP/1.1\r\nHost: x.example\r\nContent-Length:  5 \r\n\r\nhello"
        guard case .head(let head, let length) = HTTPHeadParser.parse(Array(text.utf8)) else {
            Issue.record("no head")
            return
        }
        #expect(length == text.utf8.count - 5)
        #expect(head.startLine.0 == "POST" && head.startLine.1 == "/a?b=1" && head.startLine.2 == "HTTP/1.1")
        #expect(head.first("host") == "x.example" && head.first("content-length") == "5")
        #expect(HTTPHeadParser.parse(Array("GET / HTTP/1.1\r\nHost: a".utf8)) == .needMore)
        #expect(HTTPHeadParser.parse(Array("GET / HTTP/1.1\r\nBad Name: a\r\n\r\n".utf8)) == .invalid(tooLarge: false))
        #expect(HTTPHeadParser.parse(Array("GET / HTTP/1.1\r\n folded\r\n\r\n".utf8)) == .invalid(tooLarge: false))
        #expect(HTTPHeadParser.parse(Array("GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n".utf8)) == .invalid(tooLarge: false))
        let big = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 70_000)
        #expect(HTTPHeadParser.parse(Array(big.utf8)) == .invalid(tooLarge: true))
        let response = try Self.head("HTTP/1.0 200 OK\r\nServer: py\r\n\r\n")
        #expect(response.startLine.0 == "HTTP/1.0" && response.startLine.1 == "200" && response.startLine.2 == "OK")
        #expect(try Self.head("HTTP/1.1 204\r\n\r\n").startLine.2 == "")
    }

    /// The in-place parse (a ByteBuffer's bytes, as the splitter hands them) finds what the copying
    /// one does, and the edge cases of the line scan: a bare CR, an empty head, a doubled space,
    /// a reason phrase with spaces, and a head whose blank line is cut off.
    @Test func parsesInPlaceWithLowerCasedKeys() throws {
        let text = "HTTP/1.1 404 Not  Found\r\nContent-Type: text/plain\r\nX-Mixed-CASE:\tv \r\n\r\nbody"
        var buffer = ByteBuffer(string: "junk" + text)
        buffer.moveReaderIndex(forwardBy: 4)
        let inPlace = HTTPHeadParser.parse(buffer)
        #expect(inPlace == HTTPHeadParser.parse(Array(text.utf8).lazy.map { $0 }))
        guard case .head(let head, let length) = inPlace else {
            Issue.record("no head")
            return
        }
        #expect(length == text.utf8.count - 4)
        #expect(head.startLine.2 == "Not  Found")
        #expect(head.keys == ["content-type", "x-mixed-case"] && head.headers[1].name == "X-Mixed-CASE")
        #expect(head.first("x-mixed-case") == "v" && head.nameIs(1, "x-mixed-case") && !head.nameIs(0, "content-typ"))
        #expect(String(buffer: head.bytes) == String(text.dropLast(4)), "the head holds exactly its own bytes")
        #expect(HTTPHeadParser.parse(Array("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n".utf8)) == .invalid(tooLarge: false))
        #expect(HTTPHeadParser.parse(Array("\r\n\r\n".utf8)) == .invalid(tooLarge: false))
        #expect(HTTPHeadParser.parse(Array("GET  / HTTP/1.1\r\n\r\n".utf8)) == .invalid(tooLarge: false))
        #expect(HTTPHeadParser.parse(Array("GET / HTTP/1.1\r\nA: b\r\n\r".utf8)) == .needMore)
        #expect("Content-LENGTH".asciiLowercased() == "content-length" && "x-É".asciiLowercased() == "x-É")
        #expect(" \t a b\t ".trimmingASCIISpaces() == "a b")
        let lengths = try Self.head("PUT / HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\n")
        #expect(lengths.contentLength == .value(3))
        #expect(try Self.head("PUT / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n").contentLength == .conflicting)
        #expect(try Self.head("PUT / HTTP/1.1\r\nContent-Length: +3\r\n\r\n").contentLength == .invalid)
        #expect(try Self.head("PUT / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n").contentLength == .invalid)
        #expect(try Self.head("PUT / HTTP/1.1\r\n\r\n").contentLength == .absent)
        let connection = try Self.head("GET / HTTP/1.1\r\nConnection: Keep-Alive, , Upgrade\r\nX: 1\r\nupgrade: h2c\r\n\r\n")
        #expect(connection.tokens("connection") == ["keep-alive", "upgrade"])
        #expect(connection.hasToken("connection", "upgrade") && !connection.hasToken("connection", "close"))
        #expect(connection.lastToken("connection", is: "upgrade") == true && connection.lastToken("te", is: "x") == nil)
        #expect(connection.isListedInConnection(2) && !connection.isListedInConnection(1))
    }

    @Test func routesByHostThenPath() {
        let router = TunnelIngressRouter(domain: "tunnels.localhost")
        #expect(router.route(target: "/api/v1/sessions", host: "localhost:8080") == .api)
        #expect(router.route(target: "/tunnels/tun_AbC/x/y?z=1", host: "localhost:8080") == .path(id: "tun_AbC", target: "/x/y?z=1"))
        #expect(router.route(target: "/tunnels/tun_AbC", host: nil) == .path(id: "tun_AbC", target: "/"))
        #expect(router.route(target: "/tunnels/tun_AbC?q", host: nil) == .path(id: "tun_AbC", target: "/?q"))
        #expect(router.route(target: "/tunnels/", host: nil) == .api)
        #expect(router.route(target: "/tunnelsX", host: nil) == .api)
        #expect(router.route(target: "/x", host: "TUN-abcd.Tunnels.Localhost:8080") == .subdomain(label: "tun-abcd"))
        #expect(router.route(target: "/x", host: "tun_abcd.tunnels.localhost") == .subdomain(label: "tun-abcd"))
        #expect(router.route(target: "/x", host: "tunnels.localhost:8080") == .unknownHost)
        #expect(router.route(target: "/x", host: "a.b.tunnels.localhost") == .unknownHost)
        #expect(router.route(target: "/x", host: "eviltunnels.localhost") == .api)
        #expect(router.route(target: "/x", host: "[::1]:8080") == .api)
        #expect(router.route(target: "/x", host: "Tunnels.Localhost.") == .unknownHost)
        #expect(router.route(target: "/x", host: "tun_AB.tunnels.localhost.:80") == .subdomain(label: "tun-ab"))
        #expect(router.route(target: "/tunnels/t/x", host: ".tunnels.localhost") == .unknownHost)
        // tunnels.path_form_enabled off: the prefix is the API's; subdomains still route.
        var subdomainsOnly = router
        subdomainsOnly.pathForm = false
        #expect(subdomainsOnly.route(target: "/tunnels/tun_A/x", host: "localhost:8080") == .api)
        #expect(subdomainsOnly.route(target: "/x", host: "tun-a.tunnels.localhost") == .subdomain(label: "tun-a"))
    }

    @Test func credentialsAreFoundInOrderAndStripped() throws {
        let token = "ttok_" + String(repeating: "A", count: 43)
        let basic = "Basic " + Data("user:\(token)".utf8).base64EncodedString()
        func extract(_ fields: [(String, String)], target: String) throws -> (TunnelCredential, [(name: String, value: String)]) {
            let head = try Self.head("GET / HTTP/1.1\r\n" + fields.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n")
            let credential = TunnelCredential.extract(head, target: target)
            return (credential, credential.keptHeaders(of: head))
        }
        var (c, kept) = try extract(
            [("Host", "h"), ("X-Marionette-Tunnel-Token", token), ("Authorization", "Bearer mk_x"), ("X-Marionette-Other", "1"), ("Accept", "*/*")],
            target: "/a?marionette_token=ttok_q&b=2")
        #expect(c.kind == .tunnelToken(token))
        #expect(kept.map(\.name) == ["Host", "Accept"] && c.dropped == [1, 2, 3])
        #expect(c.target == "/a?b=2")
        (c, kept) = try extract([("authorization", "bearer mk_key")], target: "/?marionette_token=ttok_q%2B")
        #expect(c.kind == .tunnelToken("ttok_q+"))
        #expect(c.target == "/" && kept.isEmpty)
        (c, kept) = try extract([("Authorization", basic)], target: "/")
        #expect(c.kind == .tunnelToken(token) && kept.isEmpty)
        (c, kept) = try extract([("Authorization", "Bearer mk_key")], target: "/p")
        #expect(c.kind == .apiKey("mk_key") && kept.isEmpty)
        // Someone else's credential is forwarded untouched.
        let foreign = "Basic " + Data("u:secret".utf8).base64EncodedString()
        (c, kept) = try extract([("Authorization", foreign), ("Cookie", "a=b")], target: "/")
        #expect(c.kind == .none && kept.count == 2)
        // The query token says so (a browser's GET is redirected with the cookie); the cookie is
        // taken after it and before Basic, and only it is removed from the cookies forwarded.
        (c, _) = try extract([("Host", "h")], target: "/a?marionette_token=ttok_q")
        #expect(c.fromQuery && c.kind == .tunnelToken("ttok_q"))
        (c, _) = try extract([("X-Marionette-Tunnel-Token", token)], target: "/a?marionette_token=ttok_q")
        #expect(!c.fromQuery, "the header won")
        (c, kept) = try extract(
            [("Cookie", "a=1; marionette_tunnel_tun_X=ttok_c;b=2"), ("Authorization", basic)], target: "/")
        #expect(c.kind == .tunnelToken("ttok_c") && !c.fromQuery)
        #expect(kept.map(\.value) == ["a=1; b=2"], "\(kept)")
        (c, kept) = try extract([("Cookie", "marionette_tunnel_tun_X=ttok_c"), ("Accept", "*/*")], target: "/")
        #expect(c.kind == .tunnelToken("ttok_c") && kept.map(\.name) == ["Accept"])
    }

    @Test func theQueryTokenBecomesACookie() throws {
        let path = TunnelHTTPRewriter.cookieRedirect(
            location: "/tunnels/tun_X/a?b=2", tunnelID: "tun_X", token: "ttok_q", pathPrefix: "/tunnels/tun_X", secure: false,
            maxAgeSeconds: 3600)
        #expect(path.hasPrefix("HTTP/1.1 303 See Other\r\nLocation: /tunnels/tun_X/a?b=2\r\n"))
        #expect(path.contains("\r\nSet-Cookie: marionette_tunnel_tun_X=ttok_q; Path=/tunnels/tun_X/; Max-Age=3600; HttpOnly; SameSite=Lax\r\n"))
        let subdomain = TunnelHTTPRewriter.cookieRedirect(
            location: "/a", tunnelID: "tun_X", token: "ttok_q", pathPrefix: nil, secure: true, maxAgeSeconds: 10)
        #expect(subdomain.contains("Set-Cookie: marionette_tunnel_tun_X=ttok_q; Path=/; Max-Age=10; HttpOnly; SameSite=Lax; Secure\r\n"))
        // The cookie is not forwarded; the origin's own cookies are.
        let head = try Self.head("GET /tunnels/tun_X/a HTTP/1.1\r\nHost: h\r\nCookie: s=1; marionette_tunnel_tun_X=ttok_q\r\n\r\n")
        let request = try Self.rewriter.request(head, credential: TunnelCredential.extract(head, target: "/a"), target: "/a")
        #expect(request.text.contains("\r\nCookie: s=1\r\n") && !request.text.contains("ttok_q"), "\(request.text)")
    }

    static let rewriter = TunnelHTTPRewriter(
        localPort: 3000, preserveHost: false, pathPrefix: "/tunnels/tun_X", scheme: "http", clientIP: "127.0.0.1")

    @Test func requestHeadsAreRewritten() throws {
        let head = try Self.head(
            "POST /tunnels/tun_X/up HTTP/1.1\r\nHost: localhost:8080\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: keep-alive, X-Drop\r\n"
                + "X-Drop: 1\r\nKeep-Alive: 5\r\nContent-Length: 3\r\nsec-websocket-key: k\r\n\r\n")
        let credential = TunnelCredential.extract(head, target: "/up")
        let request = try Self.rewriter.request(head, credential: credential, target: "/up")
        #expect(!request.isUpgrade)
        #expect(
            request.text
                == "POST /up HTTP/1.1\r\nHost: localhost:3000\r\nContent-Length: 3\r\nSec-WebSocket-Key: k\r\n"
                + "X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: localhost:8080\r\n"
                + "X-Forwarded-Prefix: /tunnels/tun_X\r\nForwarded: for=127.0.0.1;proto=http;host=\"localhost:8080\"\r\n\r\n")
        #expect(request.keepAlive, "HTTP/1.1 keeps the connection (keep-alive upstream too)")
        var preserve = Self.rewriter
        preserve.preserveHost = true
        preserve.pathPrefix = nil
        let kept = try preserve.request(head, credential: credential, target: "/up").text
        #expect(kept.hasPrefix("POST /up HTTP/1.1\r\nHost: localhost:8080\r\n") && !kept.contains("X-Forwarded-Prefix"))
        // From a trusted proxy the chain it sent goes on, this hop added (streaming.md §7.3).
        var behindProxy = Self.rewriter
        behindProxy.keepsForwardedFor = true
        let chained = try behindProxy.request(head, credential: credential, target: "/up").text
        #expect(chained.contains("\r\nX-Forwarded-For: 6.6.6.6, 127.0.0.1\r\n"), "\(chained)")
        // An IPv6 client is a quoted, bracketed node; a client's own Forwarded goes only from a trusted proxy.
        var six = Self.rewriter
        six.clientIP = "::1"
        let proxied = try Self.head("GET / HTTP/1.1\r\nHost: h\r\nForwarded: for=6.6.6.6\r\n\r\n")
        let sixText = try six.request(proxied, credential: TunnelCredential.extract(proxied, target: "/"), target: "/").text
        #expect(sixText.contains("\r\nForwarded: for=\"[::1]\";proto=http;host=\"h\"\r\n") && !sixText.contains("6.6.6.6"), "\(sixText)")
        six.keepsForwardedFor = true
        let sixChained = try six.request(proxied, credential: TunnelCredential.extract(proxied, target: "/"), target: "/").text
        #expect(sixChained.contains("\r\nForwarded: for=6.6.6.6, for=\"[::1]\";proto=http;host=\"h\"\r\n"), "\(sixChained)")
    }

    @Test func keepAliveFollowsTheClient() throws {
        func rewrite(_ text: String) throws -> TunnelHTTPRewriter.Request {
            let head = try Self.head(text)
            return try Self.rewriter.request(head, credential: TunnelCredential.extract(head, target: "/"), target: "/")
        }
        let closing = try rewrite("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        #expect(!closing.keepAlive)
        #expect(closing.text.hasSuffix("Connection: close\r\n\r\n"))
        let old = try rewrite("GET / HTTP/1.0\r\nHost: h\r\n\r\n")
        #expect(!old.keepAlive)
        #expect(old.text.hasPrefix("GET / HTTP/1.0\r\n"), "HTTP/1.0 goes upstream as 1.0, so the origin does not answer chunked")
        #expect(old.text.hasSuffix("Connection: close\r\n\r\n"))
        let oldKept = try rewrite("GET / HTTP/1.0\r\nHost: h\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(oldKept.keepAlive)
        #expect(oldKept.text.hasSuffix("Connection: keep-alive\r\n\r\n"))
        // TE goes only as `trailers` (streaming.md §7.2).
        #expect(try rewrite("GET / HTTP/1.1\r\nHost: h\r\nTE: gzip, trailers\r\nConnection: TE\r\n\r\n").text.contains("\r\nTE: trailers\r\n"))
        #expect(!(try rewrite("GET / HTTP/1.1\r\nHost: h\r\nTE: gzip\r\n\r\n").text.contains("TE:")))
        let response = try Self.head("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n")
        #expect(Self.rewriter.responseText(response, keepAlive: true) == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
        #expect(Self.rewriter.responseText(response, keepAlive: false).hasSuffix("Connection: close\r\n\r\n"))
    }

    @Test func webSocketUpgradesKeepUpgrade() throws {
        let head = try Self.head(
            "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let request = try Self.rewriter.request(head, credential: TunnelCredential.extract(head, target: "/ws"), target: "/ws")
        #expect(request.isUpgrade)
        #expect(request.text.hasSuffix("Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"))
        let response = Self.rewriter.responseText(
            try Self.head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: a\r\n\r\n"))
        #expect(response == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: a\r\nConnection: Upgrade\r\n\r\n")
    }

    @Test func smugglingShapesAreRefused() throws {
        for text in [
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "GET / HTTP/2.0\r\n\r\n",
        ] {
            let head = try Self.head(text)
            #expect(throws: TunnelHTTPRewriter.Failure.self, "\(text)") {
                try Self.rewriter.request(head, credential: TunnelCredential.extract(head, target: "/"), target: "/")
            }
        }
        let same = try Self.head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n")
        #expect(try Self.rewriter.request(same, credential: TunnelCredential.extract(same, target: "/"), target: "/").text.contains("Content-Length: 3"))
    }

    @Test func responseHeadsAreRewritten() throws {
        let response = Self.rewriter.responseText(
            try Self.head("HTTP/1.0 302 Found\r\nLocation: /next\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nContent-Length: 0\r\n\r\n"))
        #expect(response == "HTTP/1.1 302 Found\r\nLocation: /tunnels/tun_X/next\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        var subdomain = Self.rewriter
        subdomain.pathPrefix = nil
        #expect(subdomain.responseText(try Self.head("HTTP/1.1 301 M\r\nLocation: /x\r\n\r\n")).contains("Location: /x\r\n"))
        #expect(Self.rewriter.responseText(try Self.head("HTTP/1.1 301 M\r\nLocation: //cdn/x\r\n\r\n")).contains("Location: //cdn/x\r\n"))
        #expect(Self.rewriter.responseText(try Self.head("HTTP/1.1 100 Continue\r\n\r\n")) == "HTTP/1.1 100 Continue\r\n\r\n")
        // Absolute URLs to the origin itself point at the tunnel as the client reached it.
        var path = Self.rewriter
        path.publicHost = "example.test:8080"
        func location(_ rewriter: TunnelHTTPRewriter, _ value: String) throws -> String {
            let text = rewriter.responseText(try Self.head("HTTP/1.1 302 F\r\nLocation: \(value)\r\n\r\n"))
            return text.components(separatedBy: "\r\n").first { $0.hasPrefix("Location: ") }.map { String($0.dropFirst(10)) } ?? ""
        }
        #expect(try location(path, "http://localhost:3000/a?b=1") == "http://example.test:8080/tunnels/tun_X/a?b=1")
        #expect(try location(path, "HTTP://127.0.0.1:3000") == "http://example.test:8080/tunnels/tun_X/")
        #expect(try location(path, "http://[::1]:3000?q") == "http://example.test:8080/tunnels/tun_X/?q")
        #expect(try location(path, "http://localhost:30001/a") == "http://localhost:30001/a", "another port")
        #expect(try location(path, "https://elsewhere.test/a") == "https://elsewhere.test/a")
        var sub = path
        sub.pathPrefix = nil
        sub.publicHost = "tun-x.tunnels.localhost:8080"
        #expect(try location(sub, "http://localhost:3000/login") == "http://tun-x.tunnels.localhost:8080/login")
        let error = TunnelHTTPRewriter.errorResponse(status: 410, code: "tunnel_closed", message: "tunnel \"x\" was closed")
        #expect(error.hasPrefix("HTTP/1.1 410 Gone\r\nContent-Type: application/json\r\nX-Marionette-Error: tunnel_closed\r\n"))
        #expect(error.hasSuffix(#"{"code":"tunnel_closed","message":"tunnel \"x\" was closed"}"#))
    }
}

extension TunnelHTTPRewriter {
    func responseText(_ head: HTTPHead, keepAlive: Bool = false) -> String { String(buffer: response(head, keepAlive: keepAlive)) }
}

extension TunnelHTTPRewriter.Request {
    var text: String { String(buffer: head) }
}
