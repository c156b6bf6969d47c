/// The use_srtp protection profiles the SFU speaks (RFC 5764 §4.1.2, RFC 7714 §14.2).
public enum SRTPProfile: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case aes128CMSHA1_80 = 0x0001
    case aeadAES128GCM = 0x0007

    var openSSLName: String {
        switch self {
        case .aes128CMSHA1_80: return "SRTP_AES128_CM_SHA1_80"
        case .aeadAES128GCM: return "SRTP_AEAD_AES_128_GCM"
        }
    }

    /// Master key and salt lengths, in bytes.
    public var keyLength: Int { 16 }
    public var saltLength: Int {
        switch self {
        case .aes128CMSHA1_80: return 14
        case .aeadAES128GCM: return 12
        }
    }

    /// The name browsers report in `RTCTransportStats.srtpCipher` and the metrics label.
    public var description: String {
        switch self {
        case .aes128CMSHA1_80: return "AES_CM_128_HMAC_SHA1_80"
        case .aeadAES128GCM: return "AEAD_AES_128_GCM"
        }
    }
}

/// Keys exported from a finished DTLS handshake (RFC 5764 §4.2): ours protect what we send, the
/// peer's unprotect what we receive.
public struct SRTPKeys: Sendable, Equatable {
    public var profile: SRTPProfile
    /// Master key followed by master salt, as libsrtp2 takes them.
    public var localKeyAndSalt: [UInt8]
    public var remoteKeyAndSalt: [UInt8]

    /// Splits `EXTRACTOR-dtls_srtp` output: client key, server key, client salt, server salt.
    public init(profile: SRTPProfile, material: [UInt8], isClient: Bool) {
        let k = profile.keyLength, s = profile.saltLength
        let clientKey = material[0..<k], serverKey = material[k..<2 * k]
        let clientSalt = material[2 * k..<2 * k + s], serverSalt = material[2 * k + s..<2 * k + 2 * s]
        let client = Array(clientKey) + Array(clientSalt)
        let server = Array(serverKey) + Array(serverSalt)
        self.profile = profile
        self.localKeyAndSalt = isClient ? client : server
        self.remoteKeyAndSalt = isClient ? server : client
    }
}
