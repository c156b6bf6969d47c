/// Failures of `VPXEncoder`, each carrying libvpx's own error text
/// (`vpx_codec_err_to_string` plus `vpx_codec_error_detail` when there is one).
public enum VPXEncoderError: Error, Equatable, CustomStringConvertible {
    /// `vpx_codec_enc_config_default` or `vpx_codec_enc_init` failed.
    case initialization(String)
    /// A `vpx_codec_control` call was refused (control name, libvpx error).
    case control(String, String)
    /// `vpx_codec_enc_config_set` (bitrate change) failed.
    case configuration(String)
    /// `vpx_codec_encode` failed.
    case encode(String)
    /// A frame, size or bitrate libvpx cannot take (checked before calling it).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .initialization(let detail): "video encoder initialisation failed: \(detail)"
        case .control(let name, let detail): "video encoder control \(name) failed: \(detail)"
        case .configuration(let detail): "video encoder reconfiguration failed: \(detail)"
        case .encode(let detail): "video encode failed: \(detail)"
        case .invalidInput(let detail): "video encoder input rejected: \(detail)"
        }
    }
}
