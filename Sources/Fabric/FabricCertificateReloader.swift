import Logging
import NIOCertificateReloading
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Serves the newest `tls.cert_file` / `tls.key_file` pair on every listener (auth-security.md
/// "TLS", runner-protocol.md §1: reloaded on change). The files are read again every `interval`;
/// a renewed pair is used from the next TLS handshake on, while open connections and runner
/// streams keep theirs. A pair that does not load (a half-written file, a key that does not match
/// the certificate) is skipped with a warning and the last good pair stays in use.
public struct FabricCertificateReloader: Service, Sendable {
    let reloader: TimedCertificateReloader

    /// Loads the pair now: a start with unreadable files fails, and ``FabricServerTLS`` names the
    /// file that does not load.
    public init(tls: FabricServerTLS, interval: Duration, logger: Logger) throws(FabricTLSError) {
        _ = try tls.configuration(applicationProtocols: ["h2"])
        let lastFailure = Mutex<String?>(nil)
        let configuration = TimedCertificateReloader.Configuration(
            refreshInterval: interval,
            certificateSource: .init(location: .file(path: tls.certFile), format: .pem),
            privateKeySource: .init(location: .file(path: tls.keyFile), format: .pem)
        ) { configuration in
            configuration.onCertificateLoaded = { diff in
                lastFailure.withLock { $0 = nil }
                guard let previous = diff.previousX509CertificateChain, previous != diff.currentX509CertificateChain,
                    let leaf = diff.currentX509CertificateChain.first
                else { return }
                logger.notice(
                    "TLS certificate reloaded",
                    metadata: ["subject": "\(leaf.subject)", "not_after": "\(leaf.notValidAfter)", "file": "\(tls.certFile)"])
            }
            configuration.onCertificateLoadFailed = { failure in
                // Once per distinct failure, not at every interval while the files stay broken.
                let reason = "\(failure.error)"
                guard lastFailure.withLock({ last in defer { last = reason }; return last != reason }) else { return }
                logger.warning(
                    "TLS certificate not reloaded; the previous one stays in use",
                    metadata: ["reason": "\(reason)", "cert_file": "\(tls.certFile)", "key_file": "\(tls.keyFile)"])
            }
        }
        do {
            reloader = try TimedCertificateReloader.makeReloaderValidatingSources(configuration: configuration)
        } catch {
            throw .unreadable(file: tls.certFile, what: "certificate and key pair", reason: "\(error)")
        }
    }

    public func run() async throws {
        try await reloader.run()
    }
}
