/// A copy of the server's core keyboard mapping (keycode → keysyms per column), with the lookups
/// XTest injection needs (capture.md §2.3). Pure: filled from `GetKeyboardMapping` by the injector.
///
/// Columns follow the core protocol: 0 = group 1 level 1, 1 = group 1 level 2 (Shift), 2 and 3 the
/// same for group 2, further columns XKB's extra levels. Only group 1's two levels are used for
/// lookups; keysyms found elsewhere go through a remapped spare keycode instead.
struct X11KeyboardMapping: Equatable {
    let minKeycode: UInt8
    let maxKeycode: UInt8
    let keysymsPerKeycode: Int
    private(set) var keysyms: [UInt32]

    /// Where a keysym sits: the keycode and whether Shift must be down to get it.
    struct Location: Equatable {
        var keycode: UInt8
        var shift: Bool
    }

    init(minKeycode: UInt8, maxKeycode: UInt8, keysymsPerKeycode: Int, keysyms: [UInt32]) {
        precondition(maxKeycode >= minKeycode && keysymsPerKeycode > 0)
        precondition(keysyms.count == (Int(maxKeycode) - Int(minKeycode) + 1) * keysymsPerKeycode)
        self.minKeycode = minKeycode
        self.maxKeycode = maxKeycode
        self.keysymsPerKeycode = keysymsPerKeycode
        self.keysyms = keysyms
    }

    /// The keysyms of one keycode (empty outside the range).
    func keysyms(of keycode: UInt8) -> ArraySlice<UInt32> {
        guard keycode >= minKeycode && keycode <= maxKeycode else { return [] }
        let start = (Int(keycode) - Int(minKeycode)) * keysymsPerKeycode
        return keysyms[start..<start + keysymsPerKeycode]
    }

    /// Group 1's two levels of a keycode; a missing level 2 repeats level 1 (core protocol rule,
    /// without the case conversion, which our own remaps never rely on).
    func levels(of keycode: UInt8) -> (UInt32, UInt32) {
        let row = keysyms(of: keycode)
        guard let first = row.first else { return (0, 0) }
        let second = keysymsPerKeycode > 1 ? row[row.startIndex + 1] : 0
        return (first, second == 0 ? first : second)
    }

    /// A keycode producing `keysym` in group 1. Prefers the level matching the current Shift state
    /// (so a held Shift is used, not fought), then the lowest keycode.
    func locate(_ keysym: UInt32, shiftDown: Bool = false) -> Location? {
        guard keysym != 0 else { return nil }
        var other: Location?
        for keycode in minKeycode...maxKeycode {
            let (plain, shifted) = levels(of: keycode)
            let here = shiftDown ? shifted : plain
            if here == keysym { return Location(keycode: keycode, shift: shiftDown) }
            if other == nil && (shiftDown ? plain : shifted) == keysym {
                other = Location(keycode: keycode, shift: !shiftDown)
            }
        }
        return other
    }

    /// Keycodes with no keysym in any column: free to remap.
    var spareKeycodes: [UInt8] {
        (minKeycode...maxKeycode).filter { keycode in keysyms(of: keycode).allSatisfy { $0 == 0 } }
    }

    /// Replaces one keycode's keysyms (padded with NoSymbol), as after a ChangeKeyboardMapping.
    mutating func set(_ keycode: UInt8, to row: [UInt32]) {
        guard keycode >= minKeycode && keycode <= maxKeycode else { return }
        let start = (Int(keycode) - Int(minKeycode)) * keysymsPerKeycode
        for column in 0..<keysymsPerKeycode { keysyms[start + column] = column < row.count ? row[column] : 0 }
    }
}
