/// Android `AKEYCODE_*` (u32 on the wire). The constants are those scrcpy.md §6.7 lists; any other
/// value can be sent with `init(rawValue:)`.
public struct ScrcpyKeycode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let home = ScrcpyKeycode(rawValue: 3)
    public static let back = ScrcpyKeycode(rawValue: 4)
    public static let dpadUp = ScrcpyKeycode(rawValue: 19)
    public static let dpadDown = ScrcpyKeycode(rawValue: 20)
    public static let dpadLeft = ScrcpyKeycode(rawValue: 21)
    public static let dpadRight = ScrcpyKeycode(rawValue: 22)
    public static let dpadCenter = ScrcpyKeycode(rawValue: 23)
    public static let volumeUp = ScrcpyKeycode(rawValue: 24)
    public static let volumeDown = ScrcpyKeycode(rawValue: 25)
    public static let power = ScrcpyKeycode(rawValue: 26)
    public static let camera = ScrcpyKeycode(rawValue: 27)
    public static let comma = ScrcpyKeycode(rawValue: 55)
    public static let period = ScrcpyKeycode(rawValue: 56)
    public static let altLeft = ScrcpyKeycode(rawValue: 57)
    public static let altRight = ScrcpyKeycode(rawValue: 58)
    public static let shiftLeft = ScrcpyKeycode(rawValue: 59)
    public static let shiftRight = ScrcpyKeycode(rawValue: 60)
    public static let tab = ScrcpyKeycode(rawValue: 61)
    public static let space = ScrcpyKeycode(rawValue: 62)
    public static let enter = ScrcpyKeycode(rawValue: 66)
    /// Backspace.
    public static let del = ScrcpyKeycode(rawValue: 67)
    public static let menu = ScrcpyKeycode(rawValue: 82)
    public static let notification = ScrcpyKeycode(rawValue: 83)
    public static let search = ScrcpyKeycode(rawValue: 84)
    public static let pageUp = ScrcpyKeycode(rawValue: 92)
    public static let pageDown = ScrcpyKeycode(rawValue: 93)
    public static let escape = ScrcpyKeycode(rawValue: 111)
    public static let forwardDel = ScrcpyKeycode(rawValue: 112)
    public static let ctrlLeft = ScrcpyKeycode(rawValue: 113)
    public static let ctrlRight = ScrcpyKeycode(rawValue: 114)
    public static let metaLeft = ScrcpyKeycode(rawValue: 117)
    public static let metaRight = ScrcpyKeycode(rawValue: 118)
    public static let moveHome = ScrcpyKeycode(rawValue: 122)
    public static let moveEnd = ScrcpyKeycode(rawValue: 123)
    public static let insert = ScrcpyKeycode(rawValue: 124)
    public static let appSwitch = ScrcpyKeycode(rawValue: 187)
    public static let sleep = ScrcpyKeycode(rawValue: 223)
    public static let wakeup = ScrcpyKeycode(rawValue: 224)
    public static let cut = ScrcpyKeycode(rawValue: 277)
    public static let copy = ScrcpyKeycode(rawValue: 278)
    public static let paste = ScrcpyKeycode(rawValue: 279)

    /// `AKEYCODE_0` ... `AKEYCODE_9` (7...16).
    public static func digit(_ d: Int) -> ScrcpyKeycode? {
        (0...9).contains(d) ? ScrcpyKeycode(rawValue: UInt32(7 + d)) : nil
    }

    /// `AKEYCODE_A` ... `AKEYCODE_Z` (29...54) for an ASCII letter of either case.
    public static func letter(_ c: Character) -> ScrcpyKeycode? {
        guard let a = c.lowercased().unicodeScalars.first?.value, c.unicodeScalars.count == 1,
            (0x61...0x7A).contains(a)
        else { return nil }
        return ScrcpyKeycode(rawValue: 29 + (a - 0x61))
    }

    /// `AKEYCODE_F1` ... `AKEYCODE_F12` (131...142).
    public static func function(_ n: Int) -> ScrcpyKeycode? {
        (1...12).contains(n) ? ScrcpyKeycode(rawValue: UInt32(130 + n)) : nil
    }
}
