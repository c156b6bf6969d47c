import Fabric
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOSSL

/// The gRPC connection to the server's fabric (runner-protocol.md §1): HTTP/2 with stream and
/// connection windows of 4 MiB set explicitly (swift-nio-http2 1.46.0 kills connections with
/// windows ≥ 8 MiB under two-way load, and 8 MiB is the grpc-swift client default), 1 MiB frames,
/// keepalive PINGs every 15 s with a 10 s timeout even without calls; h2c unless TLS is enabled.
public enum FabricTransport {
    public static let windowBytes = 4 << 20
    public static let maxFrameBytes = 1 << 20

    public static func transportConfig() -> HTTP2ClientTransport.Posix.Config {
        .defaults { config in
            config.http2.targetWindowSize = windowBytes
            config.http2.maxFrameSize = maxFrameBytes
            config.connection.keepalive = HTTP2ClientTransport.Config.Keepalive(
                time: .seconds(15), timeout: .seconds(10), allowWithoutCalls: true)
            // The control stream is always open; never close the connection for idleness.
            config.connection.maxIdleTime = nil
            config.backoff = HTTP2ClientTransport.Config.Backoff(
                initial: .seconds(1), max: .seconds(60), multiplier: 2, jitter: 0.2)
        }
    }

    public static func makeTransport(_ configuration: AgentConfiguration) throws -> HTTP2ClientTransport.Posix {
        let server = configuration.server
        let target: any ResolvableTarget
        if server.isIPv6Literal {
            target = .ipv6(address: server.host, port: server.port)
        } else if server.isIPv4Literal {
            target = .ipv4(address: server.host, port: server.port)
        } else {
            target = .dns(host: server.host, port: server.port)
        }
        return try HTTP2ClientTransport.Posix(
            target: target, transportSecurity: security(configuration.tls), config: transportConfig())
    }

    static func security(_ tls: AgentConfiguration.TLS) -> HTTP2ClientTransport.Posix.TransportSecurity {
        guard tls.enabled else { return .plaintext }
        return .tls { config in
            if !tls.caFile.isEmpty { config.trustRoots = .certificates([.file(path: tls.caFile, format: .pem)]) }
            if tls.skipVerify { config.serverCertificateVerification = .noVerification }
            if !tls.certFile.isEmpty {
                config.certificateChain = [.file(path: tls.certFile, format: .pem)]
                config.privateKey = .file(path: tls.keyFile, format: .pem)
            }
        }
    }

    /// The TLS context of the data connection (§10: same TLS / mTLS rules, ALPN h2), nil for h2c.
    public static func dataTLSContext(_ tls: AgentConfiguration.TLS) throws -> NIOSSLContext? {
        guard tls.enabled else { return nil }
        var config = TLSConfiguration.makeClientConfiguration()
        config.minimumTLSVersion = .tlsv12
        config.applicationProtocols = ["h2"]
        if !tls.caFile.isEmpty {
            config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tls.caFile))
        }
        if tls.skipVerify { config.certificateVerification = .none }
        if !tls.certFile.isEmpty {
            config.certificateChain = try NIOSSLCertificate.fromPEMFile(tls.certFile).map { .certificate($0) }
            config.privateKey = .privateKey(try NIOSSLPrivateKey(file: tls.keyFile, format: .pem))
        }
        return try NIOSSLContext(configuration: config)
    }

    /// Metadata of every call (§1): the token, the runner id once known, the protocol marker.
    public static func metadata(token: String, runnerID: String?) -> Metadata {
        var metadata = Metadata()
        metadata.addString(token, forKey: "x-runner-token")
        if let runnerID, !runnerID.isEmpty { metadata.addString(runnerID, forKey: "x-runner-id") }
        metadata.addString("1", forKey: "x-marionette-protocol")
        return metadata
    }
}
