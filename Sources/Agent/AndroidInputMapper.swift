import Capture
import Fabric

/// Viewer input (runner-protocol.md §11 `InputEvent`, coordinates as fractions of the frame) →
/// scrcpy control messages (scrcpy.md §6, §11.5), stamped with the device's current video size.
/// Pure and stateful: it remembers the fingers and mouse buttons that are down, so that the end of
/// a viewer's control (an event without a payload) lifts them.
struct AndroidInputMapper: Sendable {
    /// Touch pointers down (browser pointer ids) and the mouse buttons held.
    private(set) var pointers: Set<Int64> = []
    private(set) var mouseButtons: ScrcpyMotionButtons = []
    private var lastPosition: ScrcpyPosition?

    /// Viewer mouse buttons (0 left, 1 middle, 2 right, 3 back, 4 forward) as Android buttons.
    static let mouseButtonMap: [ScrcpyMotionButtons] = [.primary, .tertiary, .secondary, .back, .forward]

    /// Android keycodes of the DOM keys that do not type a character (text travels as `text`).
    static let domKeys: [String: ScrcpyKeycode] = [
        "Enter": .enter, "Backspace": .del, "Tab": .tab, "Escape": .escape, "Delete": .forwardDel,
        "ArrowUp": .dpadUp, "ArrowDown": .dpadDown, "ArrowLeft": .dpadLeft, "ArrowRight": .dpadRight,
        "Home": .moveHome, "End": .moveEnd, "PageUp": .pageUp, "PageDown": .pageDown, "Insert": .insert,
        "ContextMenu": .menu, "AudioVolumeUp": .volumeUp, "AudioVolumeDown": .volumeDown,
    ]

    /// `android_button` names (api.md §10.4) → key presses; `back` uses BACK_OR_SCREEN_ON and
    /// `rotate` ROTATE_DEVICE (scrcpy.md §6.7).
    static let buttonKeys: [String: ScrcpyKeycode] = [
        "home": .home, "app_switch": .appSwitch, "power": .power, "volume_up": .volumeUp, "volume_down": .volumeDown,
    ]

    static func position(x: Float, y: Float, size: (width: Int, height: Int)) -> ScrcpyPosition {
        func pixel(_ fraction: Float, _ extent: Int) -> Int32 {
            let value = Int((Double(fraction) * Double(extent)).rounded(.down))
            return Int32(min(max(value, 0), max(extent - 1, 0)))
        }
        return ScrcpyPosition(
            x: pixel(x, size.width), y: pixel(y, size.height), screenWidth: UInt16(clamping: size.width),
            screenHeight: UInt16(clamping: size.height))
    }

    static func metaState(_ modifiers: Int32) -> ScrcpyMetaState {
        var meta: ScrcpyMetaState = []
        if modifiers & 1 != 0 { meta.formUnion([.altOn, .altLeftOn]) }
        if modifiers & 2 != 0 { meta.formUnion([.ctrlOn, .ctrlLeftOn]) }
        if modifiers & 4 != 0 { meta.formUnion([.metaOn, .metaLeftOn]) }
        if modifiers & 8 != 0 { meta.formUnion([.shiftOn, .shiftLeftOn]) }
        return meta
    }

    /// Wheel deltas (DOM units: 0 pixels, 1 lines, 2 pages) → notches in [-16, 16]; a positive
    /// deltaY (content moves up, the wheel turned towards the user) is a negative vscroll.
    static func notches(_ delta: Float, mode: Int32) -> Float {
        let perNotch: Float = mode == 1 ? 3 : mode == 2 ? 1 : 100
        return min(max(delta / perNotch, -16), 16)
    }

    /// The messages for one event; `size` is the current video size (nil: not streaming yet, positional
    /// input is dropped).
    mutating func messages(for event: Marionette_Runner_V1_InputEvent, size: (width: Int, height: Int)?) -> [ScrcpyControlMessage] {
        switch event.event {
        case nil:
            return releaseAll()
        case .touch(let touch):
            guard let size else { return [] }
            let position = Self.position(x: touch.x, y: touch.y, size: size)
            lastPosition = position
            let action: ScrcpyMotionAction
            switch touch.action {
            case .down:
                pointers.insert(touch.pointerID)
                action = .down
            case .move:
                guard pointers.contains(touch.pointerID) else { return [] }  // hover: nothing, as upstream
                action = .move
            case .up, .cancel:
                guard pointers.remove(touch.pointerID) != nil else { return [] }
                action = .up
            default:
                return []
            }
            let pressure = action == .up ? 0 : (touch.pressure > 0 ? min(touch.pressure, 1) : 1)
            return [
                .injectTouchEvent(
                    action: action, pointerID: .touch(UInt64(bitPattern: touch.pointerID)), position: position, pressure: pressure,
                    actionButton: [], buttons: [])
            ]
        case .mouse(let mouse):
            guard let size else { return [] }
            let position = Self.position(x: mouse.x, y: mouse.y, size: size)
            lastPosition = position
            switch mouse.action {
            case .down, .up:
                guard Self.mouseButtonMap.indices.contains(Int(mouse.button)) else { return [] }
                let button = Self.mouseButtonMap[Int(mouse.button)]
                if mouse.action == .down {
                    guard !mouseButtons.contains(button) else { return [] }
                    mouseButtons.insert(button)
                } else {
                    guard mouseButtons.contains(button) else { return [] }
                    mouseButtons.remove(button)
                }
                return [
                    .injectTouchEvent(
                        action: mouse.action == .down ? .down : .up, pointerID: .mouse, position: position,
                        pressure: mouse.action == .down ? 1 : 0, actionButton: button, buttons: mouseButtons)
                ]
            case .move:
                guard !mouseButtons.isEmpty else { return [] }
                return [
                    .injectTouchEvent(
                        action: .move, pointerID: .mouse, position: position, pressure: 1, actionButton: [], buttons: mouseButtons)
                ]
            default:
                return []
            }
        case .wheel(let wheel):
            guard let size else { return [] }
            let h = Self.notches(wheel.dx, mode: wheel.mode)
            let v = -Self.notches(wheel.dy, mode: wheel.mode)
            guard h != 0 || v != 0 else { return [] }
            return [
                .injectScrollEvent(
                    position: Self.position(x: wheel.x, y: wheel.y, size: size), hScroll: h, vScroll: v, buttons: mouseButtons)
            ]
        case .key(let key):
            let keycode: ScrcpyKeycode
            if key.androidKeycode > 0 {
                keycode = ScrcpyKeycode(rawValue: UInt32(key.androidKeycode))
            } else if let mapped = Self.domKeys[key.key] {
                keycode = mapped
            } else {
                return []  // a character key: its text arrives as a `text` event
            }
            guard key.action == .down || key.action == .up else { return [] }
            return [
                .injectKeycode(
                    action: key.action == .down ? .down : .up, keycode: keycode, repeatCount: key.repeat ? 1 : 0,
                    metaState: Self.metaState(key.modifiers))
            ]
        case .text(let text):
            return Self.textMessages(text.text)
        case .button(let button):
            if button.name == "back" { return [.backOrScreenOn(action: .down), .backOrScreenOn(action: .up)] }
            if button.name == "rotate" { return [.rotateDevice] }
            guard let keycode = Self.buttonKeys[button.name] else { return [] }
            return [
                .injectKeycode(action: .down, keycode: keycode, repeatCount: 0, metaState: []),
                .injectKeycode(action: .up, keycode: keycode, repeatCount: 0, metaState: []),
            ]
        }
    }

    /// ASCII goes through INJECT_TEXT in pieces of at most 300 bytes; anything else through the
    /// clipboard with paste, since INJECT_TEXT skips characters without a key mapping (§11.5).
    static func textMessages(_ text: String) -> [ScrcpyControlMessage] {
        guard !text.isEmpty else { return [] }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII }) else {
            return [.setClipboard(sequence: 0, paste: true, text: text)]
        }
        var messages: [ScrcpyControlMessage] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            messages.append(.injectText(String(rest.prefix(ScrcpyControlMessage.injectTextMaxLength))))
            rest = rest.dropFirst(ScrcpyControlMessage.injectTextMaxLength)
        }
        return messages
    }

    /// The viewer's control ended: lift every finger and mouse button still down.
    mutating func releaseAll() -> [ScrcpyControlMessage] {
        guard let position = lastPosition else {
            pointers.removeAll()
            mouseButtons = []
            return []
        }
        var messages: [ScrcpyControlMessage] = pointers.sorted().map { id in
            .injectTouchEvent(
                action: .up, pointerID: .touch(UInt64(bitPattern: id)), position: position, pressure: 0, actionButton: [], buttons: [])
        }
        pointers.removeAll()
        var remaining = mouseButtons
        for button in Self.mouseButtonMap where mouseButtons.contains(button) {
            remaining.remove(button)
            messages.append(
                .injectTouchEvent(action: .up, pointerID: .mouse, position: position, pressure: 0, actionButton: button, buttons: remaining))
        }
        mouseButtons = []
        return messages
    }
}
