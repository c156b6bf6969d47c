/// Why the SFU refused a viewer or publisher; the Gateway maps these to the API's error codes.
public enum SFUError: Error, Equatable, CustomStringConvertible {
    /// 400 `invalid_sdp`.
    case invalidSDP(String)
    /// 400 `unsupported_codec`.
    case unsupportedCodec(String)
    /// 409 `publisher_exists`.
    case publisherExists
    /// 503 `sfu_at_capacity`.
    case atCapacity
    /// 404: no such viewer or publisher.
    case unknownPeer
    /// The SFU is not running (start failed or it stopped).
    case notRunning
    case dtls(DTLSError)

    public var description: String {
        switch self {
        case .invalidSDP(let reason): return "invalid SDP offer: \(reason)"
        case .unsupportedCodec(let reason): return "no supported codec in the offer: \(reason)"
        case .publisherExists: return "the stream already has a publisher; DELETE it first"
        case .atCapacity: return "the SFU is at its viewer limit; try again later"
        case .unknownPeer: return "no such viewer or publisher"
        case .notRunning: return "the SFU is not running"
        case .dtls(let error): return error.description
        }
    }
}
