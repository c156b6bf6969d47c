import Foundation

/// A throwaway CA with a server certificate (localhost, 127.0.0.1) and a runner client certificate,
/// made once per test process with the `openssl` command line (P-256 keys, two days).
struct TestPKI: Sendable {
    let caCert: String
    let serverCert: String
    let serverKey: String
    let clientCert: String
    let clientKey: String
    /// A second server pair from the same CA (`CN=renewed`), for certificate reloading.
    let renewedCert: String
    let renewedKey: String

    static let shared: Result<TestPKI, E2EError> = Result { try make() }.mapError { E2EError("test PKI: \($0)") }

    private static func make() throws -> TestPKI {
        let dir = ServerProcess.tempDir("pki")
        func openssl(_ arguments: [String]) throws {
            let result = try runBlocking("/usr/bin/openssl", arguments, cwd: dir)
            guard result.status == 0 else { throw E2EError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Marionette Test CA"])
        for (name, extensions) in [
            ("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("renewed", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("client", "extendedKeyUsage=clientAuth\n"),
        ] {
            try extensions.write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try openssl([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext",
            ])
        }
        return TestPKI(
            caCert: dir + "/ca.pem", serverCert: dir + "/server.pem", serverKey: dir + "/server.key",
            clientCert: dir + "/client.pem", clientKey: dir + "/client.key", renewedCert: dir + "/renewed.pem",
            renewedKey: dir + "/renewed.key")
    }
}
