import AsyncHTTPClient
import Foundation
import NIOCore

/// HTTP verbs used by the Marionette APIs.
public enum HTTPVerb: String, Sendable {
    case GET, POST, PUT, PATCH, DELETE
}

/// One query parameter; repeated names are allowed (`status=a&status=b`).
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How requests authenticate.
public enum Credential: Sendable, Equatable {
    case none
    /// `Authorization: Bearer <token>` (API keys, the admin master key).
    case bearer(String)
    /// HTTP Basic (admin UI credentials).
    case basic(username: String, password: String)

    var headerValue: String? {
        switch self {
        case .none: return nil
        case .bearer(let token): return "Bearer " + token
        case .basic(let username, let password):
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        }
    }
}

/// Client of the Marionette public (`/api/v1`) and admin (`/admin/api/v1`) APIs.
///
/// Responses are returned as `JSONValue`, exactly as the server sent them.
/// The `HTTPClient` is owned by the caller, who must shut it down.
public struct MarionetteClient: Sendable {
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String
    public let credential: Credential
    /// Per-request timeout in seconds (`nil`: none). Never applied to follow streams.
    public var requestTimeout: Double?
    public let httpClient: HTTPClient
    public var userAgent: String

    public init(
        baseURL: String,
        credential: Credential = .none,
        requestTimeout: Double? = 60,
        httpClient: HTTPClient,
        userAgent: String = "mctl"
    ) throws {
        self.baseURL = try Self.normalize(baseURL: baseURL)
        self.credential = credential
        self.requestTimeout = requestTimeout
        self.httpClient = httpClient
        self.userAgent = userAgent
    }

    /// An `HTTPClient` configured for CLI use: connection failures are reported
    /// at once instead of being retried until the deadline, no redirects.
    public static func makeHTTPClient(insecureSkipTLSVerify: Bool = false) -> HTTPClient {
        var configuration: HTTPClient.Configuration
        if insecureSkipTLSVerify {
            configuration = HTTPClient.Configuration(certificateVerification: .none)
        } else {
            configuration = HTTPClient.Configuration()
        }
        configuration.redirectConfiguration = .disallow
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Runs `body` with a fresh `HTTPClient` and shuts it down afterwards, also on error.
    public static func withHTTPClient<T: Sendable>(
        insecureSkipTLSVerify: Bool = false,
        _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        let http = makeHTTPClient(insecureSkipTLSVerify: insecureSkipTLSVerify)
        let result: T
        do {
            result = try await body(http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return result
    }

    /// Adds `http://` when no scheme is given and strips trailing slashes.
    public static func normalize(baseURL: String) throws -> String {
        var url = baseURL.trimmingSpaces()
        guard !url.isEmpty else { throw ClientError.invalidURL(baseURL) }
        if !url.contains("://") { url = "http://" + url }
        while url.hasSuffix("/") { url.removeLast() }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host != nil
        else { throw ClientError.invalidURL(baseURL) }
        return url
    }

    // MARK: URLs

    /// Absolute URL for `path` (which starts with `/`) and percent-encoded query.
    public func url(_ path: String, query: [QueryItem] = []) -> String {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { Self.percentEncode($0.name) + "=" + Self.percentEncode($0.value) }.joined(separator: "&")
        }
        return url
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// Percent-encodes one path segment (an ID supplied by the user).
    public static func pathSegment(_ text: String) -> String { percentEncode(text) }

    // MARK: Requests

    /// Sends a request and returns the decoded JSON body, or `nil` for an empty body (204).
    /// Non-2xx answers throw `APIError`; transport failures throw `ClientError`.
    @discardableResult
    public func send(
        _ method: HTTPVerb,
        _ path: String,
        query: [QueryItem] = [],
        body: JSONValue? = nil
    ) async throws -> JSONValue? {
        let request = makeRequest(method, path, query: query, body: body, accept: "application/json")
        let bytes: [UInt8]
        let status: Int
        do {
            let response: HTTPClientResponse
            if let requestTimeout {
                response = try await httpClient.execute(request, timeout: .nanoseconds(Int64(requestTimeout * 1e9)))
            } else {
                response = try await httpClient.execute(request, deadline: .distantFuture)
            }
            status = Int(response.status.code)
            let buffer = try await response.body.collect(upTo: 256 << 20)
            bytes = Array(buffer.readableBytesView)
            guard (200..<300).contains(status) else {
                throw APIError.from(status: status, reason: response.status.reasonPhrase, body: bytes)
            }
        } catch {
            throw mapTransportError(error)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ClientError.invalidResponse(String(describing: error))
        }
    }

    /// Like `send`, but a missing body is an error.
    public func sendExpectingBody(
        _ method: HTTPVerb,
        _ path: String,
        query: [QueryItem] = [],
        body: JSONValue? = nil
    ) async throws -> JSONValue {
        guard let value = try await send(method, path, query: query, body: body) else {
            throw ClientError.invalidResponse("empty body for \(method.rawValue) \(path)")
        }
        return value
    }

    /// Opens a long-lived NDJSON stream (no request timeout) and returns its records.
    public func openNDJSONStream(
        _ path: String,
        query: [QueryItem] = []
    ) async throws -> NDJSONRecords<HTTPClientResponse.Body> {
        let request = makeRequest(.GET, path, query: query, body: nil, accept: "application/x-ndjson")
        do {
            let response = try await httpClient.execute(request, deadline: .distantFuture)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let buffer = try await response.body.collect(upTo: 1 << 20)
                throw APIError.from(status: status, reason: response.status.reasonPhrase, body: Array(buffer.readableBytesView))
            }
            return NDJSONRecords(response.body)
        } catch {
            throw mapTransportError(error)
        }
    }

    func makeRequest(_ method: HTTPVerb, _ path: String, query: [QueryItem], body: JSONValue?, accept: String)
        -> HTTPClientRequest
    {
        var request = HTTPClientRequest(url: url(path, query: query))
        switch method {
        case .GET: request.method = .GET
        case .POST: request.method = .POST
        case .PUT: request.method = .PUT
        case .PATCH: request.method = .PATCH
        case .DELETE: request.method = .DELETE
        }
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: userAgent)
        if let authorization = credential.headerValue {
            request.headers.add(name: "Authorization", value: authorization)
        }
        if let body {
            let data = Array(JSONWriter.compact(body).utf8)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        return request
    }

    /// Translates HTTP client failures into `ClientError`; API errors and cancellation pass through.
    public func mapTransportError(_ error: any Error) -> any Error {
        if error is APIError || error is ClientError || error is CancellationError || error is NDJSONError {
            return error
        }
        if let httpError = error as? HTTPClientError {
            switch httpError {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return ClientError.timedOut(server: baseURL, seconds: requestTimeout ?? 0)
            case .connectTimeout, .tlsHandshakeTimeout:
                return ClientError.connectionFailed(server: baseURL, reason: "connection timed out")
            case .remoteConnectionClosed:
                return ClientError.connectionFailed(server: baseURL, reason: "the server closed the connection")
            case .invalidURL, .emptyHost, .emptyScheme:
                return ClientError.invalidURL(baseURL)
            case .cancelled:
                return CancellationError()
            default:
                return ClientError.connectionFailed(server: baseURL, reason: String(describing: httpError))
            }
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("connection refused") {
            return ClientError.connectionFailed(server: baseURL, reason: "connection refused")
        }
        if lowered.contains("connection reset") {
            return ClientError.connectionFailed(server: baseURL, reason: "connection reset by peer")
        }
        if lowered.contains("nxdomain") || lowered.contains("name or service not known")
            || lowered.contains("nodename nor servname") || lowered.contains("dns")
        {
            return ClientError.connectionFailed(server: baseURL, reason: "cannot resolve host")
        }
        if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") {
            return ClientError.connectionFailed(server: baseURL, reason: "TLS error: \(text)")
        }
        if String(reflecting: type(of: error)).contains("NIOConnectionError") || error is IOError {
            return ClientError.connectionFailed(server: baseURL, reason: text)
        }
        return error
    }
}
