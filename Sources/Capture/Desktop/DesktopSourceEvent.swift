/// What a desktop source reports besides video (streaming.md §5.2, capture.md §1.5 and §2.4): the
/// cursor is not in the video, the page draws it from these; clipboard changes of the remote desktop.
///
/// `DesktopSourceRunner` delivers them through its `onEvent` callback: cursor events from the
/// capture thread, clipboard events from the input thread.
public enum DesktopSourceEvent: Sendable, Equatable {
    /// A new cursor shape (XFixes), once per shape serial: PNG (RGBA, straight alpha) and hot spot.
    case cursorImage(serial: UInt32, png: [UInt8], width: Int, height: Int, xhot: Int, yhot: Int)
    /// The pointer moved: fractions [0, 1] of the captured frame. At most 60 per second, only on change.
    case cursorPosition(x: Double, y: Double)
    /// Another X client took CLIPBOARD with this UTF-8 text (not our own X11ClipboardOwner setting it).
    case clipboard(String)
}
