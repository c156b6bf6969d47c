import Testing

@testable import Capture

/// BrowserKeyMap (capture.md §2.4), X11KeyboardMapping lookups and WheelAccumulator: pure, no X.
@Suite struct DesktopKeyMapTests {
    let map = BrowserKeyMap()

    @Test(
        arguments: [
            // Printable keys: Latin-1 maps to itself, everything else to 0x01000000 + code point.
            ("KeyA", "a", 0x61), ("KeyA", "A", 0x41), ("Digit1", "!", 0x21), ("Space", " ", 0x20),
            ("Comma", ",", 0x2c), ("KeyE", "é", 0xe9), ("KeyE", "€", 0x0100_20ac), ("KeyQ", "ß", 0xdf),
            ("KeyZ", "ж", 0x0100_0436), ("Digit2", "\u{a0}", 0xa0), ("KeyX", "😀", 0x0101_f600),
            // Named keys by `key`.
            ("Enter", "Enter", 0xff0d), ("Backspace", "Backspace", 0xff08), ("Tab", "Tab", 0xff09),
            ("Escape", "Escape", 0xff1b), ("Delete", "Delete", 0xffff), ("Insert", "Insert", 0xff63),
            ("Home", "Home", 0xff50), ("End", "End", 0xff57), ("PageUp", "PageUp", 0xff55),
            ("PageDown", "PageDown", 0xff56), ("ArrowLeft", "ArrowLeft", 0xff51), ("ArrowUp", "ArrowUp", 0xff52),
            ("ArrowRight", "ArrowRight", 0xff53), ("ArrowDown", "ArrowDown", 0xff54), ("F1", "F1", 0xffbe),
            ("F12", "F12", 0xffc9), ("F24", "F24", 0xffd5), ("Pause", "Pause", 0xff13),
            ("PrintScreen", "PrintScreen", 0xff61), ("ContextMenu", "ContextMenu", 0xff67),
            // Modifiers and locks by `code`: the side matters.
            ("ShiftLeft", "Shift", 0xffe1), ("ShiftRight", "Shift", 0xffe2), ("ControlLeft", "Control", 0xffe3),
            ("ControlRight", "Control", 0xffe4), ("AltLeft", "Alt", 0xffe9), ("AltRight", "Alt", 0xffea),
            ("AltRight", "AltGraph", 0xfe03), ("MetaLeft", "Meta", 0xffeb), ("MetaRight", "Meta", 0xffec),
            ("CapsLock", "CapsLock", 0xffe5), ("NumLock", "NumLock", 0xff7f), ("ScrollLock", "ScrollLock", 0xff14),
            // Numpad by `code`, whatever NumLock made of `key`.
            ("Numpad0", "0", 0xffb0), ("Numpad7", "Home", 0xffb7), ("Numpad9", "9", 0xffb9),
            ("NumpadEnter", "Enter", 0xff8d), ("NumpadAdd", "+", 0xffab), ("NumpadSubtract", "-", 0xffad),
            ("NumpadMultiply", "*", 0xffaa), ("NumpadDivide", "/", 0xffaf), ("NumpadDecimal", ".", 0xffae),
            ("NumpadEqual", "=", 0xffbd),
            // Dead and unidentified keys: the US layout position of `code`.
            ("Quote", "Dead", 0x27), ("KeyE", "Unidentified", 0x65), ("Digit5", "Dead", 0x35),
            ("Backquote", "Dead", 0x60), ("Enter", "Unidentified", 0xff0d),
        ] as [(String, String, Int)])
    func keysyms(code: String, key: String, expected: Int) {
        #expect(map.keysym(code: code, key: key) == UInt32(expected), "code \(code) key \(key)")
    }

    @Test func unmappableEventsGiveNil() {
        #expect(map.keysym(code: "", key: "Unidentified") == nil)
        #expect(map.keysym(code: "Lang9", key: "Dead") == nil)
        #expect(map.keysym(code: "", key: "\u{7}") == nil)  // control character
    }

    @Test func textCharacters() {
        #expect(BrowserKeyMap.keysym(forText: "\n") == 0xff0d)
        #expect(BrowserKeyMap.keysym(forText: "\t") == 0xff09)
        #expect(BrowserKeyMap.keysym(forText: "\u{1b}") == nil)
        #expect(BrowserKeyMap.keysym(forText: "\u{85}") == nil)
        #expect(BrowserKeyMap.keysym(forText: "ÿ") == 0xff)
        #expect(BrowserKeyMap.keysym(forText: "Ā") == 0x0100_0100)
    }

    /// A 4-keycode map (8…11) with 2 keysyms per keycode: a/A, 1/!, Return (level 2 empty), spare.
    static let smallMap = X11KeyboardMapping(
        minKeycode: 8, maxKeycode: 11, keysymsPerKeycode: 2, keysyms: [0x61, 0x41, 0x31, 0x21, 0xff0d, 0, 0, 0])

    @Test func keyboardMappingLocatesLevelsAndSpares() {
        var m = Self.smallMap
        #expect(m.locate(0x61) == .init(keycode: 8, shift: false))
        #expect(m.locate(0x41) == .init(keycode: 8, shift: true))
        #expect(m.locate(0x41, shiftDown: true) == .init(keycode: 8, shift: true))
        #expect(m.locate(0x61, shiftDown: true) == .init(keycode: 8, shift: false))
        #expect(m.locate(0x21) == .init(keycode: 9, shift: true))
        #expect(m.locate(0xff0d) == .init(keycode: 10, shift: false))  // empty level 2 repeats level 1
        #expect(m.locate(0xff0d, shiftDown: true) == .init(keycode: 10, shift: true))
        #expect(m.locate(0xe9) == nil)
        #expect(m.spareKeycodes == [11])
        m.set(11, to: [0xe9, 0xe9])
        #expect(m.locate(0xe9) == .init(keycode: 11, shift: false))
        #expect(m.spareKeycodes.isEmpty)
        #expect(Array(m.keysyms(of: 11)) == [0xe9, 0xe9])
        #expect(m.keysyms(of: 200).isEmpty)
    }

    @Test func wheelNotchesPerMode() {
        var wheel = WheelAccumulator()
        #expect(wheel.add(dx: 0, dy: 100, mode: 0) == (0, 1))  // 100 px = one notch down (button 5)
        #expect(wheel.add(dx: 0, dy: -300, mode: 0) == (0, -3))
        #expect(wheel.add(dx: 0, dy: 3, mode: 1) == (0, 1))  // 3 lines
        #expect(wheel.add(dx: 0, dy: 1, mode: 2) == (0, 1))  // 1 page
        #expect(wheel.add(dx: -200, dy: 0, mode: 0) == (-2, 0))  // left: button 6
        // Trackpad: fractions add up; a change of direction drops the carried fraction.
        #expect(wheel.add(dx: 0, dy: 40, mode: 0) == (0, 0))
        #expect(wheel.add(dx: 0, dy: 40, mode: 0) == (0, 0))
        #expect(wheel.add(dx: 0, dy: 40, mode: 0) == (0, 1))
        #expect(wheel.add(dx: 0, dy: -90, mode: 0) == (0, 0))
        #expect(wheel.add(dx: 0, dy: -20, mode: 0) == (0, -1))
        #expect(wheel.add(dx: 0, dy: 1e9, mode: 0) == (0, 20))  // capped
        #expect(wheel.add(dx: .nan, dy: .infinity, mode: 0) == (0, 0))
    }
}
