import GRPCCore
import GRPCNIOTransportHTTP2

/// The gRPC listener of the runner fabric (runner-protocol.md §1). Windows are set explicitly to
/// 4 MiB: swift-nio-http2 1.46.0 over-grants WINDOW_UPDATEs with windows ≥ 8 MiB under two-way
/// traffic and kills the connection; the 64 KiB default caps uploads near 70 MB/s.
public enum FabricServerTransport {
    public static let windowBytes = 4 << 20
    public static let maxFrameBytes = 1 << 20

    public static func config(maxRequestBytes: Int = 16 << 20) -> HTTP2ServerTransport.Posix.Config {
        .defaults { config in
            config.http2.targetWindowSize = windowBytes
            config.http2.maxFrameSize = maxFrameBytes
            config.http2.maxConcurrentStreams = 1024
            config.rpc.maxRequestPayloadSize = maxRequestBytes
            // Runners ping every 15 s, also between calls; never GOAWAY them for it.
            config.connection.keepalive = .init(
                time: .seconds(30), timeout: .seconds(10),
                clientBehavior: .init(minPingIntervalWithoutCalls: .seconds(5), allowWithoutCalls: true))
        }
    }

    /// Plaintext h2c: allowed on loopback, or when the operator passed `--insecure-fabric`.
    public static func plaintext(host: String, port: Int) -> HTTP2ServerTransport.Posix {
        HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port), transportSecurity: .plaintext, config: config())
    }

    /// TLS (mTLS with client verification) from the configured PEM files.
    public static func secure(
        host: String, port: Int, tls: FabricServerTLS, certificates: FabricCertificateReloader? = nil
    ) throws(FabricTLSError) -> HTTP2ServerTransport.Posix {
        HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port), transportSecurity: try tls.grpcSecurity(certificates: certificates),
            config: config())
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
