/// One input event for a desktop stream, as the agent hands it over after the server validated it
/// (streaming.md §5.2, capture.md §2). `DesktopSourceRunner.inject` queues it for the input thread.
public enum DesktopInput: Sendable, Equatable {
    /// Absolute pointer position as fractions [0, 1] of the captured frame.
    case pointerMove(x: Double, y: Double)
    /// Button press or release; moves the pointer first when x/y are given.
    case pointerButton(DesktopMouseButton, down: Bool, x: Double?, y: Double?)
    /// DOM `WheelEvent.deltaX/deltaY` and `deltaMode` (0 pixels, 1 lines, 2 pages).
    case wheel(dx: Double, dy: Double, mode: Int)
    /// DOM `KeyboardEvent.code` and `.key`; `keysym` when the page computed one already.
    case key(code: String, key: String, keysym: UInt32?, down: Bool)
    /// Text typed character by character (press + release each).
    case text(String)
    /// Own the CLIPBOARD selection with this UTF-8 text; `paste` then sends Ctrl+V.
    case clipboard(text: String, paste: Bool)
    /// The viewer left or lost control: release every pressed key and button.
    case releaseAll
}
