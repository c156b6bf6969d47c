/// Android `AKEY_EVENT_ACTION_*` (u8 on the wire). A struct, not an enum, because the server passes
/// any byte through and a decoder must be able to show what it got.
public struct ScrcpyKeyAction: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let down = ScrcpyKeyAction(rawValue: 0)
    public static let up = ScrcpyKeyAction(rawValue: 1)
    public static let multiple = ScrcpyKeyAction(rawValue: 2)
}
