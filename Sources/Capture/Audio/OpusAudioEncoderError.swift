/// Failures of `OpusAudioEncoder`, with libopus's own error text.
public enum OpusAudioEncoderError: Error, Equatable, CustomStringConvertible {
    case creation(String)
    case control(String, String)
    case encode(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .creation(let detail): "Opus encoder creation failed: \(detail)"
        case .control(let name, let detail): "Opus encoder control \(name) failed: \(detail)"
        case .encode(let detail): "Opus encode failed: \(detail)"
        case .invalidInput(let detail): "Opus encoder input rejected: \(detail)"
        }
    }
}
