/// What went wrong in desktop capture or input, each case saying what to do about it.
public enum DesktopCaptureError: Error, Equatable, CustomStringConvertible {
    /// The runner's configuration cannot work (frame rate, bitrate, display name, Xvfb size).
    case invalidConfiguration(String)
    /// The X display could not be opened, or its connection broke (`xcb_connection_has_error`).
    case displayUnavailable(display: String, reason: String)
    /// `startXvfb` was asked for but no `Xvfb` binary is on PATH.
    case xvfbNotInstalled
    /// Xvfb was started but exited or did not come up within the time limit (its log tail included).
    case xvfbFailed(display: String, reason: String)
    /// A required X extension (XTEST for input) is missing on the display.
    case extensionMissing(display: String, name: String)
    /// The root window's pixel layout is not one capture.md §1.3 can convert.
    case unsupportedPixelFormat(String)
    /// An X request of the grab failed for a reason other than a lost connection.
    case grabFailed(String)
    /// The VP8/VP9 encoder failed.
    case encoder(VPXEncoderError)

    /// The `StreamStatus` failure code this error reports (streaming.md §5.2).
    public var statusCode: String {
        switch self {
        case .displayUnavailable, .xvfbNotInstalled, .xvfbFailed: "display_unavailable"
        case .extensionMissing, .unsupportedPixelFormat: "unsupported_display"
        case .grabFailed: "capture_failed"
        case .encoder: "encoder_failed"
        case .invalidConfiguration: "invalid_configuration"
        }
    }

    public var description: String {
        switch self {
        case .invalidConfiguration(let detail):
            "desktop capture configuration rejected: \(detail)"
        case .displayUnavailable(let display, let reason):
            "X display \(display) unavailable: \(reason); check that the X server runs and DISPLAY/socket /tmp/.X11-unix is reachable"
        case .xvfbNotInstalled:
            "Xvfb is not installed (no Xvfb on PATH): install the Debian package xvfb or start an X server and disable startXvfb"
        case .xvfbFailed(let display, let reason):
            "Xvfb for \(display) did not start: \(reason)"
        case .extensionMissing(let display, let name):
            "X display \(display) lacks the \(name) extension, which desktop \(name == "XTEST" ? "input" : "capture") needs"
        case .unsupportedPixelFormat(let detail):
            "unsupported root window pixel format: \(detail); run the X server at depth 24 (e.g. Xvfb -screen 0 WxHx24)"
        case .grabFailed(let detail):
            "screen grab failed: \(detail)"
        case .encoder(let error):
            error.description
        }
    }
}
