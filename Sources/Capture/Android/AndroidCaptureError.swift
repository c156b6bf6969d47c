/// Why an Android (scrcpy) source could not start or had to stop. `statusCode` is the stream's
/// `error_code` (streaming.md §2); each case says what to do.
public enum AndroidCaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `adb` on `PATH` and no `MARIONETTE_ADB`.
    case adbNotFound
    /// An adb command failed (its argv after `adb`, exit status, stderr).
    case adbFailed(command: String, status: Int32, output: String)
    /// No usable device: none attached, several without a serial, or the serial's state.
    case deviceUnavailable(String)
    /// The pinned scrcpy server binary is missing or is not the official one.
    case serverBinary(String)
    /// No local port of 27183...27199 could carry the tunnel, or the server never connected.
    case tunnel(String)
    /// The scrcpy server process ended before or while streaming (its last ERROR line, if any).
    case serverExited(status: Int32, lastError: String)
    /// The device side broke the protocol.
    case protocolError(String)
    /// The device went away mid-stream (a socket ended or the adb connection died).
    case deviceDisconnected(String)
    /// A stream setting the server refuses (e.g. shell-special characters in a value).
    case invalidConfiguration(String)

    public var statusCode: String {
        switch self {
        case .adbNotFound, .adbFailed, .deviceUnavailable: "device_unavailable"
        case .deviceDisconnected: "device_disconnected"
        case .serverBinary, .tunnel, .serverExited, .protocolError, .invalidConfiguration: "source_failed"
        }
    }

    public var description: String {
        switch self {
        case .adbNotFound:
            "adb not found: install Android platform tools (Debian: adb) or set MARIONETTE_ADB to its path"
        case .adbFailed(let command, let status, let output):
            "adb \(command) failed with status \(status): \(output.isEmpty ? "no output" : output)"
        case .deviceUnavailable(let reason): "no usable Android device: \(reason)"
        case .serverBinary(let reason): "scrcpy server binary: \(reason)"
        case .tunnel(let reason): "scrcpy tunnel: \(reason)"
        case .serverExited(let status, let lastError):
            "the scrcpy server exited with status \(status)" + (lastError.isEmpty ? "" : ": \(lastError)")
        case .protocolError(let reason): "scrcpy protocol error: \(reason)"
        case .deviceDisconnected(let reason): "device disconnected: \(reason)"
        case .invalidConfiguration(let reason): "invalid android stream settings: \(reason)"
        }
    }
}
