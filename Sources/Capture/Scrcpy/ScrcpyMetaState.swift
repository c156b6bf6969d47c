/// Android `AMETA_*` modifier bits of INJECT_KEYCODE (u32 on the wire, scrcpy.md §6.7).
public struct ScrcpyMetaState: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let shiftOn = ScrcpyMetaState(rawValue: 0x1)
    public static let altOn = ScrcpyMetaState(rawValue: 0x2)
    public static let symOn = ScrcpyMetaState(rawValue: 0x4)
    public static let functionOn = ScrcpyMetaState(rawValue: 0x8)
    public static let altLeftOn = ScrcpyMetaState(rawValue: 0x10)
    public static let altRightOn = ScrcpyMetaState(rawValue: 0x20)
    public static let shiftLeftOn = ScrcpyMetaState(rawValue: 0x40)
    public static let shiftRightOn = ScrcpyMetaState(rawValue: 0x80)
    public static let ctrlOn = ScrcpyMetaState(rawValue: 0x1000)
    public static let ctrlLeftOn = ScrcpyMetaState(rawValue: 0x2000)
    public static let ctrlRightOn = ScrcpyMetaState(rawValue: 0x4000)
    public static let metaOn = ScrcpyMetaState(rawValue: 0x10000)
    public static let metaLeftOn = ScrcpyMetaState(rawValue: 0x20000)
    public static let metaRightOn = ScrcpyMetaState(rawValue: 0x40000)
    public static let capsLockOn = ScrcpyMetaState(rawValue: 0x100000)
    public static let numLockOn = ScrcpyMetaState(rawValue: 0x200000)
    public static let scrollLockOn = ScrcpyMetaState(rawValue: 0x400000)
}
