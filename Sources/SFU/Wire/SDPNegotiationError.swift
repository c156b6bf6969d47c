/// Why an offer was refused; each case maps to one `400` error code of the public API (api.md §10.2).
public enum SDPNegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Malformed SDP, no BUNDLE group, no rtcp-mux on a bundled m-line, no DTLS fingerprint,
    /// no ICE credentials, or an unusable direction/setup → `invalid_sdp`.
    case invalidSDP(String)
    /// The stream's codec is not among the offered formats → `unsupported_codec`.
    case unsupportedCodec(String)

    /// The API error code (`invalid_sdp` / `unsupported_codec`).
    public var apiCode: String {
        switch self {
        case .invalidSDP: return "invalid_sdp"
        case .unsupportedCodec: return "unsupported_codec"
        }
    }

    /// The human-readable reason, without the code.
    public var reason: String {
        switch self {
        case .invalidSDP(let reason), .unsupportedCodec(let reason): return reason
        }
    }

    public var description: String { "\(apiCode): \(reason)" }
}
