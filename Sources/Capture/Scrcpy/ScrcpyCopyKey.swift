/// GET_CLIPBOARD's u8 copy key: which key the device presses before reading its clipboard.
public struct ScrcpyCopyKey: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let none = ScrcpyCopyKey(rawValue: 0)
    public static let copy = ScrcpyCopyKey(rawValue: 1)
    public static let cut = ScrcpyCopyKey(rawValue: 2)
}
