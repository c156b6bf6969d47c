import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Minimal HTTP calls for the end-to-end tests, on AsyncHTTPClient's shared client; `https` URLs go
/// through a client that trusts the test CA (``TestPKI``) and nothing else.
enum HTTP {
    static let tlsClient: HTTPClient? = {
        guard let pki = try? TestPKI.shared.get(), let ca = try? NIOSSLCertificate.fromPEMFile(pki.caCert) else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(ca)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    }()

    struct Reply {
        let status: Int
        let body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    static func get(_ url: String, key: String? = nil) async throws -> Reply {
        try await send(.GET, url, key: key)
    }

    static func send(_ method: HTTPMethod, _ url: String, key: String? = nil, json: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        var client = HTTPClient.shared
        if url.hasPrefix("https:") {
            guard let tlsClient else {
                _ = try TestPKI.shared.get()  // the reason, when the PKI itself failed
                throw E2EError("cannot load the test CA into a TLS client")
            }
            client = tlsClient
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }
}
