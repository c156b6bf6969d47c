import GRPCNIOTransportHTTP2
import NIOCertificateReloading
import NIOSSL

/// Server-side TLS from PEM files, shared by every listener (auth-security.md "TLS"; runner-protocol.md §1):
/// TLS 1.2 at least, and with `verifyClient` a client certificate chained to `caFile` is required (mTLS).
public struct FabricServerTLS: Sendable, Equatable {
    public var certFile: String
    public var keyFile: String
    public var caFile: String
    public var verifyClient: Bool

    public init(certFile: String, keyFile: String, caFile: String = "", verifyClient: Bool = false) {
        self.certFile = certFile
        self.keyFile = keyFile
        self.caFile = caFile
        self.verifyClient = verifyClient
    }

    /// Loads and checks the files now, so a bad path or key fails the start with its name in the message.
    /// With `certificates`, every handshake takes the pair it last loaded (renewals need no restart).
    public func configuration(applicationProtocols: [String], certificates: FabricCertificateReloader? = nil) throws(FabricTLSError)
        -> TLSConfiguration
    {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(certFile) } catch {
            throw .unreadable(file: certFile, what: "certificate", reason: "\(error)")
        }
        do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
            throw .unreadable(file: keyFile, what: "private key", reason: "\(error)")
        }
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        config.minimumTLSVersion = .tlsv12
        config.applicationProtocols = applicationProtocols
        if verifyClient {
            do { config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) } catch {
                throw .unreadable(file: caFile, what: "client CA", reason: "\(error)")
            }
            // Runners are identified by their token; the certificate proves they hold a key the CA issued.
            config.certificateVerification = .noHostnameVerification
        }
        if let certificates { config.setCertificateReloader(certificates.reloader) }
        return config
    }

    /// The NIOSSL context of the fabric data connection (h2 only).
    public func dataContext(certificates: FabricCertificateReloader? = nil) throws(FabricTLSError) -> NIOSSLContext {
        let config = try configuration(applicationProtocols: ["h2"], certificates: certificates)
        do { return try NIOSSLContext(configuration: config) } catch {
            throw .unreadable(file: certFile, what: "certificate and key pair", reason: "\(error)")
        }
    }

    /// gRPC transport security for the runner listener, from the same files.
    public func grpcSecurity(certificates: FabricCertificateReloader? = nil) throws(FabricTLSError)
        -> HTTP2ServerTransport.Posix.TransportSecurity
    {
        _ = try dataContext()  // fail early, with the file names, rather than at the first handshake
        let certFile = certFile, keyFile = keyFile, caFile = caFile, verifyClient = verifyClient
        return .tls(certificateChain: [.file(path: certFile, format: .pem)], privateKey: .file(path: keyFile, format: .pem)) {
            config in
            config.certificateReloader = certificates?.reloader
            if verifyClient {
                config.clientCertificateVerification = .noHostnameVerification
                config.trustRoots = .certificates([.file(path: caFile, format: .pem)])
            }
        }
    }
}

public enum FabricTLSError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, what: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let what, let reason):
            return "cannot load the TLS \(what) from \(file): \(reason); check tls.cert_file, tls.key_file and tls.ca_file"
        }
    }
}
