import CShims
import COpenSSL

/// The SFU's DTLS identity: an ECDSA P-256 self-signed certificate made once per process
/// (streaming.md §3.2). Its SHA-256 fingerprint goes into every SDP answer, carried over the
/// authenticated WHEP/WHIP exchange, which is what makes the DTLS peer authentic.
public final class DTLSCertificate: @unchecked Sendable {
    // @unchecked: the key and certificate are created in init and never mutated afterwards; OpenSSL
    // only reads them (SSL_CTX_use_* takes its own references), so sharing across threads is safe.
    let key: OpaquePointer
    let certificate: OpaquePointer
    /// SHA-256 of the DER certificate.
    public let fingerprint: [UInt8]

    public init(commonName: String = "marionette-sfu", days: Int = 30) throws(DTLSError) {
        var key: OpaquePointer?
        var certificate: OpaquePointer?
        guard mshim_generate_ecdsa_certificate(commonName, Int32(days), &key, &certificate) == 1,
            let key, let certificate
        else { throw .openSSL("generating the ECDSA certificate", DTLSError.lastOpenSSLError()) }
        self.key = key
        self.certificate = certificate
        var digest = [UInt8](repeating: 0, count: 32)
        guard mshim_certificate_sha256(certificate, &digest) == 1 else {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw .openSSL("hashing the certificate", DTLSError.lastOpenSSLError())
        }
        self.fingerprint = digest
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }

    /// `AB:CD:…` as in `a=fingerprint:sha-256 AB:CD:…`.
    public var fingerprintSDP: String { DTLSFingerprint.format(fingerprint) }
}

/// Formats and parses the colon-separated upper-case hex of `a=fingerprint`.
public enum DTLSFingerprint {
    public static func format(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ":")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
