import CShims
import COpenSSL

/// One OpenSSL DTLS 1.2 context shared by every peer: the certificate, ECDHE-ECDSA AES-GCM suites and
/// the use_srtp profiles in preference order (AEAD_AES_128_GCM first: Debian's libsrtp2 protects about
/// five times as many packets per second with it as with AES_CM_128_HMAC_SHA1_80).
public final class DTLSContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is configured in init and never changed; OpenSSL allows SSL_new on a
    // shared, unchanging SSL_CTX from any thread.
    let context: OpaquePointer
    public let certificate: DTLSCertificate
    public let profiles: [SRTPProfile]

    public init(certificate: DTLSCertificate, profiles: [SRTPProfile] = [.aeadAES128GCM, .aes128CMSHA1_80]) throws(DTLSError) {
        let names = profiles.map(\.openSSLName).joined(separator: ":")
        guard let context = mshim_dtls_context_new(certificate.key, certificate.certificate, names) else {
            throw .openSSL("creating the DTLS context", DTLSError.lastOpenSSLError())
        }
        self.context = context
        self.certificate = certificate
        self.profiles = profiles
    }

    deinit { SSL_CTX_free(context) }
}
