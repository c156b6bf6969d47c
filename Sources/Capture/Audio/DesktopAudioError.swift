/// Why a desktop stream's audio could not start or stopped.
public enum DesktopAudioError: Error, Equatable, CustomStringConvertible {
    /// No PulseAudio server, or the source does not exist.
    case unavailable(String)
    /// Reading from PulseAudio failed mid-stream (the server went away).
    case failed(String)
    case encoder(OpusAudioEncoderError)

    public var description: String {
        switch self {
        case .unavailable(let detail):
            "desktop audio unavailable: PulseAudio: \(detail); run PulseAudio (a null sink on a headless runner) and set PULSE_SERVER if it is not the user's default, or create the stream with \"audio\": false"
        case .failed(let detail): "desktop audio capture stopped: PulseAudio: \(detail)"
        case .encoder(let error): "desktop audio: \(error)"
        }
    }

    /// The stream's `error_code` (api.md §10).
    public var statusCode: String { "audio_unavailable" }
}
