/// Android `AMOTION_EVENT_ACTION_*` (u8 on the wire). Clients send only DOWN, UP, MOVE and
/// HOVER_MOVE (scrcpy.md §6.3); the rest are listed for decoders.
public struct ScrcpyMotionAction: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let down = ScrcpyMotionAction(rawValue: 0)
    public static let up = ScrcpyMotionAction(rawValue: 1)
    public static let move = ScrcpyMotionAction(rawValue: 2)
    public static let cancel = ScrcpyMotionAction(rawValue: 3)
    public static let outside = ScrcpyMotionAction(rawValue: 4)
    public static let pointerDown = ScrcpyMotionAction(rawValue: 5)
    public static let pointerUp = ScrcpyMotionAction(rawValue: 6)
    public static let hoverMove = ScrcpyMotionAction(rawValue: 7)
    public static let scroll = ScrcpyMotionAction(rawValue: 8)
    public static let hoverEnter = ScrcpyMotionAction(rawValue: 9)
    public static let hoverExit = ScrcpyMotionAction(rawValue: 10)
    public static let buttonPress = ScrcpyMotionAction(rawValue: 11)
    public static let buttonRelease = ScrcpyMotionAction(rawValue: 12)
}
