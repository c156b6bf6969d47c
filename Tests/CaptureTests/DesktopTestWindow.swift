import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// A small X client for the input tests, on its own connection: a mapped window with the input
/// focus that records key and button events, decoding keycodes back to keysyms with xcb-keysyms
/// (refreshed on MappingNotify, in event order, so remapped keycodes decode right).
final class DesktopTestWindow {
    enum Event: Equatable {
        case keyPress(keysym: UInt32, state: UInt16)
        case keyRelease(keysym: UInt32)
        case buttonPress(UInt8)
        case buttonRelease(UInt8)
    }

    let connection: OpaquePointer
    let window: xcb_window_t
    let root: xcb_window_t
    private let symbols: OpaquePointer
    private(set) var events: [Event] = []
    private(set) var selectionNotify: xcb_selection_notify_event_t?

    init(display: String, x: Int16 = 0, y: Int16 = 0, width: UInt16 = 200, height: UInt16 = 200) throws {
        var screenNumber: Int32 = 0
        let connection = xcb_connect(display, &screenNumber)!
        guard xcb_connection_has_error(connection) == 0 else {
            xcb_disconnect(connection)
            throw DesktopTestDisplay.Failure(description: "xcb_connect \(display)")
        }
        let screen = xcb_setup_roots_iterator(xcb_get_setup(connection)).data!
        let root = screen.pointee.root
        let window = xcb_generate_id(connection)
        self.connection = connection
        self.root = root
        self.window = window
        let mask =
            XCB_EVENT_MASK_KEY_PRESS.rawValue | XCB_EVENT_MASK_KEY_RELEASE.rawValue
            | XCB_EVENT_MASK_BUTTON_PRESS.rawValue | XCB_EVENT_MASK_BUTTON_RELEASE.rawValue
            | XCB_EVENT_MASK_EXPOSURE.rawValue | XCB_EVENT_MASK_STRUCTURE_NOTIFY.rawValue
            | XCB_EVENT_MASK_PROPERTY_CHANGE.rawValue
        let values: [UInt32] = [screen.pointee.white_pixel, mask]
        _ = values.withUnsafeBytes {
            xcb_create_window(
                connection, UInt8(XCB_COPY_FROM_PARENT), window, root, x, y, width, height, 0,
                UInt16(XCB_WINDOW_CLASS_INPUT_OUTPUT.rawValue), screen.pointee.root_visual,
                XCB_CW_BACK_PIXEL.rawValue | XCB_CW_EVENT_MASK.rawValue, $0.baseAddress)
        }
        _ = xcb_map_window(connection, window)
        xcb_flush(connection)
        symbols = xcb_key_symbols_alloc(connection)
        // Focus needs a viewable window: wait for MapNotify first.
        var mapped = false
        let deadline = ContinuousClock.now + .seconds(5)
        while !mapped && ContinuousClock.now < deadline {
            if let event = xcb_poll_for_event(connection) {
                if event.pointee.response_type & 0x7f == UInt8(XCB_MAP_NOTIFY) { mapped = true }
                free(event)
            } else {
                usleep(2000)
            }
        }
        guard mapped else { throw DesktopTestDisplay.Failure(description: "test window never mapped") }
        _ = xcb_set_input_focus(
            connection, UInt8(XCB_INPUT_FOCUS_POINTER_ROOT.rawValue), window, xcb_timestamp_t(XCB_CURRENT_TIME))
        let reply = xcb_get_input_focus_reply(connection, xcb_get_input_focus(connection), nil)
        defer { free(reply) }
        guard reply?.pointee.focus == window else {
            throw DesktopTestDisplay.Failure(description: "test window has no focus")
        }
    }

    deinit {
        xcb_key_symbols_free(symbols)
        xcb_disconnect(connection)
    }

    /// Reads events until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    func collect(upTo seconds: Double = 5, until condition: ([Event]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition(events) {
            guard ContinuousClock.now < deadline else { return false }
            guard let event = xcb_poll_for_event(connection) else {
                usleep(2000)
                continue
            }
            handle(event)
            free(event)
        }
        return true
    }

    /// The text typed so far: key presses decoded to characters (keysyms below 0x100 are Latin-1,
    /// 0x01000000 + U is Unicode), modifiers and other named keys left out.
    var typedText: String {
        var text = ""
        for case .keyPress(let keysym, _) in events {
            let scalar: Unicode.Scalar? =
                keysym < 0x100
                ? Unicode.Scalar(keysym) : keysym >= 0x0100_0000 ? Unicode.Scalar(keysym - 0x0100_0000) : nil
            if let scalar { text.unicodeScalars.append(scalar) }
        }
        return text
    }

    func clear() { events.removeAll() }

    /// Asks the CLIPBOARD owner for UTF8_STRING into a property of this window and returns the text.
    func readClipboard(timeout seconds: Double = 5) -> String? {
        let clipboard = atom("CLIPBOARD"), utf8 = atom("UTF8_STRING"), property = atom("MARIONETTE_TEST_CLIP")
        selectionNotify = nil
        _ = xcb_convert_selection(connection, window, clipboard, utf8, property, xcb_timestamp_t(XCB_CURRENT_TIME))
        xcb_flush(connection)
        collect(upTo: seconds) { _ in self.selectionNotify != nil }
        guard let notify = selectionNotify, notify.property == property else { return nil }
        let cookie = xcb_get_property(connection, 1, window, property, utf8, 0, 1 << 20)
        guard let reply = xcb_get_property_reply(connection, cookie, nil) else { return nil }
        defer { free(reply) }
        let length = Int(xcb_get_property_value_length(reply))
        let bytes = UnsafeRawBufferPointer(start: xcb_get_property_value(reply), count: length)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Sends the root window a synthetic ConfigureNotify with this size (StructureNotify listeners
    /// get it as if the screen had been resized).
    func announceRootSize(width: UInt16, height: UInt16) {
        var notify = xcb_configure_notify_event_t()
        notify.response_type = UInt8(XCB_CONFIGURE_NOTIFY)
        notify.event = root
        notify.window = root
        notify.width = width
        notify.height = height
        withUnsafeBytes(of: &notify) { bytes in
            var buffer = [CChar](repeating: 0, count: 32)
            for i in 0..<min(32, bytes.count) { buffer[i] = CChar(bitPattern: bytes[i]) }
            _ = xcb_send_event(connection, 0, root, XCB_EVENT_MASK_STRUCTURE_NOTIFY.rawValue, buffer)
        }
        xcb_flush(connection)
    }

    func pointer() -> (x: Int, y: Int)? {
        guard let reply = xcb_query_pointer_reply(connection, xcb_query_pointer(connection, root), nil) else {
            return nil
        }
        defer { free(reply) }
        return (Int(reply.pointee.root_x), Int(reply.pointee.root_y))
    }

    private func atom(_ name: String) -> xcb_atom_t {
        let cookie = xcb_intern_atom(connection, 0, UInt16(name.utf8.count), name)
        guard let reply = xcb_intern_atom_reply(connection, cookie, nil) else { return 0 }
        defer { free(reply) }
        return reply.pointee.atom
    }

    private func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>) {
        let raw = UnsafeRawPointer(event)
        switch Int32(event.pointee.response_type & 0x7f) {
        case XCB_KEY_PRESS:
            let key = raw.load(as: xcb_key_press_event_t.self)
            // Column 1 (Shift) when Shift is down, as Xlib's XLookupString does for these keys.
            let column: Int32 = key.state & UInt16(XCB_MOD_MASK_SHIFT.rawValue) != 0 ? 1 : 0
            var keysym = xcb_key_symbols_get_keysym(symbols, key.detail, column)
            if keysym == 0 { keysym = xcb_key_symbols_get_keysym(symbols, key.detail, 0) }
            events.append(.keyPress(keysym: keysym, state: key.state))
        case XCB_KEY_RELEASE:
            let key = raw.load(as: xcb_key_release_event_t.self)
            events.append(.keyRelease(keysym: xcb_key_symbols_get_keysym(symbols, key.detail, 0)))
        case XCB_BUTTON_PRESS:
            events.append(.buttonPress(raw.load(as: xcb_button_press_event_t.self).detail))
        case XCB_BUTTON_RELEASE:
            events.append(.buttonRelease(raw.load(as: xcb_button_release_event_t.self).detail))
        case XCB_MAPPING_NOTIFY:
            var notify = raw.load(as: xcb_mapping_notify_event_t.self)
            _ = xcb_refresh_keyboard_mapping(symbols, &notify)
        case XCB_SELECTION_NOTIFY:
            selectionNotify = raw.load(as: xcb_selection_notify_event_t.self)
        default:
            break
        }
    }
}
