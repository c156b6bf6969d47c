import CShims

/// What went wrong in DTLS, with the OpenSSL reason where there is one.
public enum DTLSError: Error, Equatable, CustomStringConvertible {
    /// An OpenSSL call failed while doing `what`.
    case openSSL(_ what: String, _ reason: String)
    /// The handshake failed (bad record, alert from the peer, unsupported parameters).
    case handshakeFailed(String)
    /// The peer's certificate does not match the `a=fingerprint` of its SDP: not the peer that signalled.
    case fingerprintMismatch
    /// The handshake finished without a use_srtp profile both sides support.
    case noSRTPProfile
    /// No handshake completion within the deadline (streaming.md: 10 s).
    case timedOut

    public var description: String {
        switch self {
        case .openSSL(let what, let reason): return "DTLS: \(what) failed: \(reason)"
        case .handshakeFailed(let reason): return "DTLS handshake failed: \(reason)"
        case .fingerprintMismatch: return "DTLS peer certificate does not match the SDP fingerprint"
        case .noSRTPProfile: return "DTLS peer negotiated no supported SRTP profile"
        case .timedOut: return "DTLS handshake timed out"
        }
    }

    static func lastOpenSSLError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        mshim_last_error(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "unknown OpenSSL error" : text
    }
}
