/// Browser `KeyboardEvent` → X keysym (capture.md §2.4). Pure: no X connection, no state.
///
/// Order of the rules:
/// 1. `code` decides where the side or the keypad matters (AltRight reporting `AltGraph` is
///    ISO_Level3_Shift): modifiers (`ShiftLeft` → Shift_L …) and
///    the numpad (`Numpad1` → KP_1 …), whatever `key` says.
/// 2. A printable `key` of one Unicode scalar maps to its character keysym: Latin-1
///    (U+0020–U+007E, U+00A0–U+00FF) to the same value, anything else to 0x01000000 + code point.
/// 3. Named keys (`Enter`, `ArrowLeft`, `F5`, …) through the table of §2.4.
/// 4. `Dead`, `Unidentified` or an unknown name: `code` read on a US layout (`KeyA` → a).
public struct BrowserKeyMap: Sendable {
    public init() {}

    /// The keysym for one keyboard event, or nil when neither `key` nor `code` means anything here.
    public func keysym(code: String, key: String) -> UInt32? {
        if key == "AltGraph" { return 0xfe03 }  // ISO_Level3_Shift on AltGr layouts (code AltRight)
        if let sided = Self.byCode[code] { return sided }
        let scalars = key.unicodeScalars
        if scalars.count == 1, let first = scalars.first, let keysym = Self.keysym(for: first) { return keysym }
        if let named = Self.named[key] { return named }
        // Dead keys and unknown names: the key's position on a US keyboard.
        if let us = Self.usLayout[code] { return us }
        return Self.named[code]
    }

    /// The keysym of a printable character; nil for control characters (C0, DEL, C1).
    public static func keysym(for scalar: Unicode.Scalar) -> UInt32? {
        let value = scalar.value
        switch value {
        case 0x20...0x7e, 0xa0...0xff: return value
        case 0...0x1f, 0x7f...0x9f: return nil
        default: return 0x0100_0000 + value
        }
    }

    /// The keysym for one character of typed text: newline and tab as the Return and Tab keys,
    /// other control characters nil (skipped).
    public static func keysym(forText scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "\n", "\r": 0xff0d
        case "\t": 0xff09
        default: keysym(for: scalar)
        }
    }

    /// Keys whose side or keypad position matters: decided by `code`.
    static let byCode: [String: UInt32] = [
        "ShiftLeft": 0xffe1, "ShiftRight": 0xffe2,
        "ControlLeft": 0xffe3, "ControlRight": 0xffe4,
        "AltLeft": 0xffe9, "AltRight": 0xffea,
        "MetaLeft": 0xffeb, "MetaRight": 0xffec,
        "OSLeft": 0xffeb, "OSRight": 0xffec,  // Firefox < 118 named the Super keys OS*
        "CapsLock": 0xffe5, "NumLock": 0xff7f, "ScrollLock": 0xff14,
        "Numpad0": 0xffb0, "Numpad1": 0xffb1, "Numpad2": 0xffb2, "Numpad3": 0xffb3, "Numpad4": 0xffb4,
        "Numpad5": 0xffb5, "Numpad6": 0xffb6, "Numpad7": 0xffb7, "Numpad8": 0xffb8, "Numpad9": 0xffb9,
        "NumpadEnter": 0xff8d, "NumpadAdd": 0xffab, "NumpadSubtract": 0xffad,
        "NumpadMultiply": 0xffaa, "NumpadDivide": 0xffaf, "NumpadDecimal": 0xffae,
        "NumpadEqual": 0xffbd, "NumpadComma": 0xffac,
    ]

    /// Named `key` values (and the same names as `code` where they coincide).
    static let named: [String: UInt32] = {
        var table: [String: UInt32] = [
            "Backspace": 0xff08, "Tab": 0xff09, "Enter": 0xff0d, "Escape": 0xff1b, "Esc": 0xff1b,
            "Delete": 0xffff, "Del": 0xffff, "Insert": 0xff63,
            "Home": 0xff50, "End": 0xff57, "PageUp": 0xff55, "PageDown": 0xff56,
            "ArrowLeft": 0xff51, "ArrowUp": 0xff52, "ArrowRight": 0xff53, "ArrowDown": 0xff54,
            "Left": 0xff51, "Up": 0xff52, "Right": 0xff53, "Down": 0xff54,
            "Pause": 0xff13, "PrintScreen": 0xff61, "ContextMenu": 0xff67, "Clear": 0xff0b,
            "Help": 0xff6a, "Cancel": 0xff69, "Select": 0xff60, "Execute": 0xff62, "Find": 0xff68,
            "Undo": 0xff65, "Redo": 0xff66,
            "Space": 0x20, "Spacebar": 0x20,
            // Modifiers without a usable `code` (virtual keyboards): the left-hand keysym.
            "Shift": 0xffe1, "Control": 0xffe3, "Alt": 0xffe9, "Meta": 0xffeb, "OS": 0xffeb,
            "Super": 0xffeb, "Hyper": 0xffed, "CapsLock": 0xffe5, "NumLock": 0xff7f, "ScrollLock": 0xff14,
            // XF86 media keys.
            "AudioVolumeDown": 0x1008_ff11, "AudioVolumeMute": 0x1008_ff12, "AudioVolumeUp": 0x1008_ff13,
            "MediaPlayPause": 0x1008_ff14, "MediaStop": 0x1008_ff15, "MediaTrackPrevious": 0x1008_ff16,
            "MediaTrackNext": 0x1008_ff17,
        ]
        for n in 1...24 { table["F\(n)"] = 0xffbe + UInt32(n - 1) }  // F1 0xffbe … F24 0xffd5
        return table
    }()

    /// `code` → the unshifted keysym of that key on a US (pc105) layout, for dead and unknown keys.
    static let usLayout: [String: UInt32] = {
        var table: [String: UInt32] = [
            "Minus": 0x2d, "Equal": 0x3d, "BracketLeft": 0x5b, "BracketRight": 0x5d, "Backslash": 0x5c,
            "Semicolon": 0x3b, "Quote": 0x27, "Backquote": 0x60, "Comma": 0x2c, "Period": 0x2e,
            "Slash": 0x2f, "IntlBackslash": 0x3c,
        ]
        for letter in UInt32(0x61)...0x7a {  // KeyA … KeyZ → a … z
            table["Key" + String(Character(Unicode.Scalar(letter - 0x20)!))] = letter
        }
        for digit in UInt32(0)...9 { table["Digit\(digit)"] = 0x30 + digit }
        return table
    }()
}
