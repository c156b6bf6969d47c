/// INJECT_TOUCH_EVENT's u64 pointer id (scrcpy.md §6.4): the mouse, an emulated finger, or a real
/// touch pointer's own id.
public struct ScrcpyPointerID: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// -1: the mouse (injected as a mouse when hovering or with a non-primary button).
    public static let mouse = ScrcpyPointerID(rawValue: .max)
    /// -2: a generic finger (mouse emulating touch).
    public static let genericFinger = ScrcpyPointerID(rawValue: .max - 1)
    /// -3: a virtual finger (pinch-to-zoom emulation).
    public static let virtualFinger = ScrcpyPointerID(rawValue: .max - 2)

    /// A real touch pointer, e.g. a browser `PointerEvent.pointerId`.
    public static func touch(_ id: UInt64) -> ScrcpyPointerID { ScrcpyPointerID(rawValue: id) }
}
