/// A mouse button as the viewer page reports it (`MouseEvent.button` 0 left, 1 middle, 2 right,
/// 3 back, 4 forward). XTest buttons 1, 2, 3, 8, 9 (capture.md §2.2).
public enum DesktopMouseButton: Sendable, Equatable {
    case left, middle, right, back, forward

    /// The core-protocol button number.
    var x11Button: UInt8 {
        switch self {
        case .left: 1
        case .middle: 2
        case .right: 3
        case .back: 8
        case .forward: 9
        }
    }
}
