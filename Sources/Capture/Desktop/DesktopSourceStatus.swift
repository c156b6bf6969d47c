/// Life-cycle reports of a `DesktopSourceRunner`, delivered on its capture thread.
public enum DesktopSourceStatus: Sendable, Equatable {
    /// The first frame is out (again after every capture size change).
    case live(width: Int, height: Int, grabPath: X11GrabPath)
    /// The capture thread ended. `code` is `display_unavailable` when the display could not be
    /// opened or its connection died, otherwise `DesktopCaptureError.statusCode`; the process lives on.
    case failed(code: String, message: String)
}
