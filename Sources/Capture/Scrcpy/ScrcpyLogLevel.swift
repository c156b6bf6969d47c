/// The server's `log_level` (the server's default is `debug`; the reference client sends `info`).
public enum ScrcpyLogLevel: String, Sendable, CaseIterable {
    case verbose
    case debug
    case info
    case warn
    case error
}
