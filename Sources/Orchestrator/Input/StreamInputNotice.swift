/// What the input WebSocket tells its viewers (api.md §10.4, server → client), produced by the
/// hub from arbitration and from the runner's `Media` call.
public enum StreamInputNotice: Sendable, Equatable {
    /// `granted`, `revoked` or `denied`, with the viewer that holds control (nil when nobody does).
    case control(state: String, holder: String?)
    /// The remote clipboard changed.
    case clipboard(text: String)
    /// The desktop cursor's shape: a PNG and its hot spot.
    case cursor(png: [UInt8], xhot: Int, yhot: Int)
    /// The desktop cursor's position, fractions of the video frame.
    case cursorPosition(x: Double, y: Double)
    /// The capture size changed.
    case resize(width: Int, height: Int)
    /// The stream's state changed (`active`, `failed`, `stopped`, …).
    case state(String)
}
