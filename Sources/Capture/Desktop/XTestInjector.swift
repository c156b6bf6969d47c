import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// Injects viewer input into an X display with XTEST (capture.md §2, streaming.md §5.2), on its own
/// connection.
///
/// - Pointer: absolute motion, fractions of the captured (even-cropped) frame scaled to pixels.
/// - Buttons 1–3 and 8/9; the wheel as one press+release of button 4/5 (vertical) or 6/7
///   (horizontal) per notch (`WheelAccumulator`); DOM deltaY > 0 = scroll down = button 5.
/// - Keys: `BrowserKeyMap` gives the keysym; the keycode comes from the current core keyboard map
///   (group 1, the level matching the Shift state, else the other level with Shift pressed around
///   it), else a spare keycode (one with no keysyms) is remapped to the keysym, least recently used
///   first, and left mapped while the key is down. The keycode pressed at key-down is remembered per
///   `code` and released at key-up, whatever the map says by then.
/// - `text` types each character (down+up) the same way; `clipboard` owns CLIPBOARD and can paste
///   with Ctrl+V; `releaseAll` releases every key and button we hold.
///
/// The keyboard map is read with `GetKeyboardMapping` rather than xcb-keysyms, whose table does not
/// expose the keysyms per keycode needed to find spare keycodes and to remap them.
///
/// Every `inject` ends with a flush. Calls block on X round trips (map reads, remaps), so the
/// injector lives on the input thread (`DesktopInputWorker`). Not Sendable.
final class XTestInjector {
    let connection: X11Connection
    private var mapping: X11KeyboardMapping
    private var screenSize: (width: Int, height: Int)
    private var wheel = WheelAccumulator()
    private let keyMap = BrowserKeyMap()
    private var pressedButtons: Set<UInt8> = []
    private var pressedKeys: [String: PressedKey] = [:]
    /// Spare keycodes we remapped: keysym and last use (monotonic ns), for LRU recycling.
    private var remapped: [UInt8: (keysym: UInt32, lastUse: Int64)] = [:]
    private var sparePool: [UInt8]
    private var clipboardOwner: X11ClipboardOwner?

    /// A remapped keycode is not recycled sooner than this after its last use: clients re-read the map
    /// lazily on MappingNotify and could otherwise translate a queued key event with the newer map.
    static let remapReuseDelayNanoseconds: Int64 = 50_000_000

    private struct PressedKey {
        var keycode: UInt8
        var keysym: UInt32
    }

    private static let shiftL: UInt32 = 0xffe1, shiftR: UInt32 = 0xffe2, controlL: UInt32 = 0xffe3

    convenience init(display: String) throws(DesktopCaptureError) {
        try self.init(connection: X11Connection(display: display))
    }

    init(connection: X11Connection) throws(DesktopCaptureError) {
        self.connection = connection
        let conn = connection.connection
        guard connection.extensionFirstEvent(mxcb_test_extension()) != nil,
            let version = xcb_test_get_version_reply(conn, xcb_test_get_version(conn, 2, 2), nil)
        else { throw .extensionMissing(display: connection.display, name: "XTEST") }
        free(version)
        guard let mapping = Self.readMapping(connection) else {
            throw connection.hasError
                ? connection.lostError
                : .displayUnavailable(display: connection.display, reason: "GetKeyboardMapping failed")
        }
        self.mapping = mapping
        sparePool = mapping.spareKeycodes
        screenSize = (Int(connection.screen.pointee.width_in_pixels), Int(connection.screen.pointee.height_in_pixels))
        // Root resizes, to scale pointer fractions to the current size.
        let mask = [XCB_EVENT_MASK_STRUCTURE_NOTIFY.rawValue]
        _ = mask.withUnsafeBytes {
            xcb_change_window_attributes(conn, connection.root, XCB_CW_EVENT_MASK.rawValue, $0.baseAddress)
        }
        connection.flush()
    }

    /// Keycodes and buttons currently held down by us (for tests and statistics).
    var pressedKeycodes: [UInt8] { pressedKeys.values.map(\.keycode).sorted() }
    var heldButtons: Set<UInt8> { pressedButtons }
    var spareKeycodeCount: Int { sparePool.count }
    /// The window that owns CLIPBOARD when a viewer set it (nil before the first `clipboard` input).
    var clipboardWindow: xcb_window_t? { clipboardOwner?.window }

    func inject(_ input: DesktopInput) {
        switch input {
        case .pointerMove(let x, let y):
            move(x, y)
        case .pointerButton(let button, let down, let x, let y):
            if let x, let y { move(x, y) }
            self.button(button.x11Button, down: down)
        case .wheel(let dx, let dy, let mode):
            let notches = wheel.add(dx: dx, dy: dy, mode: mode)
            click(notches.y > 0 ? 5 : 4, times: abs(notches.y))
            click(notches.x > 0 ? 7 : 6, times: abs(notches.x))
        case .key(let code, let key, let keysym, let down):
            let id = code.isEmpty ? "key:" + key : code
            if down {
                guard pressedKeys[id] == nil else { break }  // browser auto-repeat: the server repeats itself
                guard let keysym = keysym ?? keyMap.keysym(code: code, key: key), let pressed = press(keysym) else {
                    break
                }
                pressedKeys[id] = pressed
            } else if let pressed = pressedKeys.removeValue(forKey: id) {
                fake(UInt8(XCB_KEY_RELEASE), pressed.keycode)
            }
        case .text(let string):
            for scalar in string.unicodeScalars {
                guard let keysym = BrowserKeyMap.keysym(forText: scalar), let pressed = press(keysym) else { continue }
                fake(UInt8(XCB_KEY_RELEASE), pressed.keycode)
            }
        case .clipboard(let text, let paste):
            if clipboardOwner == nil { clipboardOwner = X11ClipboardOwner(connection: connection) }
            if clipboardOwner?.own(text) == true && paste {
                if let control = press(Self.controlL), let v = press(0x76) {
                    fake(UInt8(XCB_KEY_RELEASE), v.keycode)
                    fake(UInt8(XCB_KEY_RELEASE), control.keycode)
                }
            }
        case .releaseAll:
            releaseAll()
        }
        connection.flush()
    }

    /// Releases every key and button we hold and forgets wheel fractions.
    func releaseAll() {
        for pressed in pressedKeys.values { fake(UInt8(XCB_KEY_RELEASE), pressed.keycode) }
        pressedKeys.removeAll()
        for button in pressedButtons.sorted() { fake(UInt8(XCB_BUTTON_RELEASE), button) }
        pressedButtons.removeAll()
        wheel.reset()
        connection.flush()
    }

    /// Events of the injector's connection: map changes, root resizes, clipboard requests.
    func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>) {
        let type = event.pointee.response_type & 0x7f
        if type == UInt8(XCB_MAPPING_NOTIFY) {
            let notify = UnsafeRawPointer(event).load(as: xcb_mapping_notify_event_t.self)
            if notify.request == UInt8(XCB_MAPPING_KEYBOARD.rawValue), let fresh = Self.readMapping(connection) {
                mapping = fresh
                // Keep our remaps in the pool; add keycodes someone else freed.
                sparePool = Array(Set(fresh.spareKeycodes).union(remapped.keys)).sorted()
                remapped = remapped.filter { fresh.levels(of: $0.key).0 == $0.value.keysym }
            }
        } else if type == UInt8(XCB_CONFIGURE_NOTIFY) {
            let notify = UnsafeRawPointer(event).load(as: xcb_configure_notify_event_t.self)
            if notify.window == connection.root { screenSize = (Int(notify.width), Int(notify.height)) }
        } else {
            clipboardOwner?.handle(event)
        }
    }

    // MARK: - Pointer

    private func move(_ fx: Double, _ fy: Double) {
        // Fractions of the captured frame, which is the screen cropped to even sizes.
        let width = max(2, screenSize.width & ~1), height = max(2, screenSize.height & ~1)
        func pixel(_ f: Double, _ size: Int) -> Int16 {
            let value = f.isFinite ? (min(max(f, 0), 1) * Double(size)).rounded(.down) : 0
            return Int16(min(Int(value), size - 1))
        }
        _ = xcb_test_fake_input(
            connection.connection, UInt8(XCB_MOTION_NOTIFY), 0, xcb_timestamp_t(XCB_CURRENT_TIME), connection.root,
            pixel(fx, width), pixel(fy, height), 0)
    }

    private func button(_ number: UInt8, down: Bool) {
        if down {
            pressedButtons.insert(number)
            fake(UInt8(XCB_BUTTON_PRESS), number)
        } else if pressedButtons.remove(number) != nil {
            fake(UInt8(XCB_BUTTON_RELEASE), number)
        }
    }

    private func click(_ number: UInt8, times: Int) {
        for _ in 0..<times {
            fake(UInt8(XCB_BUTTON_PRESS), number)
            fake(UInt8(XCB_BUTTON_RELEASE), number)
        }
    }

    // MARK: - Keys

    /// Presses the key producing `keysym` (with a temporary Shift, or on a remapped spare keycode).
    /// Returns what to release, nil when the keysym cannot be produced at all.
    private func press(_ keysym: UInt32) -> PressedKey? {
        let shiftDown = pressedKeys.values.contains { $0.keysym == Self.shiftL || $0.keysym == Self.shiftR }
        if let location = mapping.locate(keysym, shiftDown: shiftDown) {
            let needsShift = location.shift && !shiftDown
            let shift = needsShift ? mapping.locate(Self.shiftL)?.keycode : nil
            if let shift { fake(UInt8(XCB_KEY_PRESS), shift) }
            fake(UInt8(XCB_KEY_PRESS), location.keycode)
            if let shift { fake(UInt8(XCB_KEY_RELEASE), shift) }
            if remapped[location.keycode] != nil { remapped[location.keycode]?.lastUse = Self.now() }
            return PressedKey(keycode: location.keycode, keysym: keysym)
        }
        guard let keycode = remap(keysym) else { return nil }
        fake(UInt8(XCB_KEY_PRESS), keycode)
        return PressedKey(keycode: keycode, keysym: keysym)
    }

    /// Maps a spare keycode (least recently used, never one held down) to `keysym` on both levels
    /// and waits until the server applied it.
    private func remap(_ keysym: UInt32) -> UInt8? {
        let held = Set(pressedKeys.values.map(\.keycode))
        let candidates = sparePool.filter { !held.contains($0) }
        guard let keycode = candidates.min(by: { (remapped[$0]?.lastUse ?? 0) < (remapped[$1]?.lastUse ?? 0) }) else {
            return nil
        }
        if let lastUse = remapped[keycode]?.lastUse {
            let wait = lastUse + Self.remapReuseDelayNanoseconds - Self.now()
            if wait > 0 {
                connection.flush()
                usleep(useconds_t(wait / 1000))
            }
        }
        var row = [UInt32](repeating: 0, count: mapping.keysymsPerKeycode)
        row[0] = keysym
        if row.count > 1 { row[1] = keysym }
        let cookie = row.withUnsafeBufferPointer {
            xcb_change_keyboard_mapping_checked(connection.connection, 1, keycode, UInt8(row.count), $0.baseAddress)
        }
        guard connection.check(cookie) == nil else { return nil }  // a round trip: applied when this returns
        mapping.set(keycode, to: row)
        remapped[keycode] = (keysym, Self.now())
        return keycode
    }

    private func fake(_ type: UInt8, _ detail: UInt8) {
        _ = xcb_test_fake_input(
            connection.connection, type, detail, xcb_timestamp_t(XCB_CURRENT_TIME), xcb_window_t(XCB_NONE), 0, 0, 0)
    }

    private static func readMapping(_ connection: X11Connection) -> X11KeyboardMapping? {
        let conn = connection.connection
        let setup = xcb_get_setup(conn)!.pointee
        let count = UInt8(Int(setup.max_keycode) - Int(setup.min_keycode) + 1)
        guard
            let reply = xcb_get_keyboard_mapping_reply(
                conn, xcb_get_keyboard_mapping(conn, setup.min_keycode, count), nil)
        else { return nil }
        defer { free(reply) }
        let per = Int(reply.pointee.keysyms_per_keycode)
        let length = Int(xcb_get_keyboard_mapping_keysyms_length(reply))
        guard per > 0, length == Int(count) * per, let keysyms = xcb_get_keyboard_mapping_keysyms(reply) else {
            return nil
        }
        return X11KeyboardMapping(
            minKeycode: setup.min_keycode, maxKeycode: setup.max_keycode, keysymsPerKeycode: per,
            keysyms: Array(UnsafeBufferPointer(start: keysyms, count: length)))
    }

    private static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
