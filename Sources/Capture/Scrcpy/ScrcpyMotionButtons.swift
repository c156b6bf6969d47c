/// Android `AMOTION_EVENT_BUTTON_*` bits (u32 on the wire): a touch event's action button (the one
/// that changed) and buttons (all pressed), and a scroll event's buttons.
public struct ScrcpyMotionButtons: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Left mouse button.
    public static let primary = ScrcpyMotionButtons(rawValue: 0x01)
    /// Right mouse button.
    public static let secondary = ScrcpyMotionButtons(rawValue: 0x02)
    /// Middle mouse button.
    public static let tertiary = ScrcpyMotionButtons(rawValue: 0x04)
    /// X1.
    public static let back = ScrcpyMotionButtons(rawValue: 0x08)
    /// X2.
    public static let forward = ScrcpyMotionButtons(rawValue: 0x10)
    public static let stylusPrimary = ScrcpyMotionButtons(rawValue: 0x20)
    public static let stylusSecondary = ScrcpyMotionButtons(rawValue: 0x40)
}
