import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// Reads the X `CLIPBOARD` whenever another client takes it (capture.md §2.4, streaming.md §5.2
/// `ClipboardUpdate`), without ever blocking its thread on the owner.
///
/// - XFixes `SelectSelectionInput(CLIPBOARD, SET_SELECTION_OWNER)` reports every change of owner.
///   A change to our own `X11ClipboardOwner`'s window (a viewer's `ClipboardSet`), to our window,
///   or to no owner is ignored; any other starts `ConvertSelection(CLIPBOARD → UTF8_STRING)` into a
///   property of an unmapped window of ours. At creation, a clipboard already owned by another
///   client is read once the same way.
/// - The conversion is asynchronous: the `SelectionNotify` (and, for the INCR protocol, the
///   `PropertyNotify`s of each chunk) arrive as events through `handle(_:ownWindow:)`, which returns
///   the text once complete. The property is read (at most `maxBytes`, cut at a character
///   boundary) and deleted. An owner that does not answer within `timeoutNanoseconds` (or between
///   two INCR chunks) is given up on: `deadline` tells the thread's `poll` when to call `expire`.
/// - An owner change during a conversion is read after it ends. A conversion that completes while
///   our own owner holds the CLIPBOARD is dropped, so a viewer's text never echoes back.
///
/// Thread confinement: lives on the input thread with the injector's connection. Not Sendable.
final class X11ClipboardWatcher {
    static let maxBytes = 1 << 20
    static let timeoutNanoseconds: Int64 = 2_000_000_000

    private enum Transfer {
        /// ConvertSelection sent; waiting for SelectionNotify.
        case converting(deadline: Int64)
        /// INCR: waiting for the next chunk.
        case incremental(bytes: [UInt8], truncated: Bool, deadline: Int64)
    }

    private let connection: X11Connection
    let window: xcb_window_t
    private let clipboard: xcb_atom_t
    private let utf8: xcb_atom_t
    private let incr: xcb_atom_t
    private let property: xcb_atom_t
    private let selectionNotifyEvent: UInt8
    private var transfer: Transfer?
    /// The owner reported by the last XFixes event (or found at creation).
    private var owner = xcb_window_t(XCB_NONE)
    /// Another client took the CLIPBOARD during a transfer: convert again after it, at this time.
    private var rerun: xcb_timestamp_t?
    private(set) var conversions = 0
    private(set) var timeouts = 0

    /// nil when the server lacks XFixes.
    init?(connection: X11Connection, ownWindow: xcb_window_t?) {
        let conn = connection.connection
        guard let first = connection.extensionFirstEvent(mxcb_xfixes_extension()),
            let version = xcb_xfixes_query_version_reply(conn, xcb_xfixes_query_version(conn, 5, 0), nil)
        else { return nil }
        free(version)
        self.connection = connection
        selectionNotifyEvent = first &+ UInt8(XCB_XFIXES_SELECTION_NOTIFY)
        clipboard = connection.atom("CLIPBOARD")
        utf8 = connection.atom("UTF8_STRING")
        incr = connection.atom("INCR")
        property = connection.atom("MARIONETTE_CLIPBOARD")
        window = xcb_generate_id(conn)
        // Unmapped and InputOnly; PropertyChange for the chunks of INCR transfers.
        let mask = [XCB_EVENT_MASK_PROPERTY_CHANGE.rawValue]
        _ = mask.withUnsafeBytes {
            xcb_create_window(
                conn, 0, window, connection.root, 0, 0, 1, 1, 0, UInt16(XCB_WINDOW_CLASS_INPUT_ONLY.rawValue),
                connection.screen.pointee.root_visual, XCB_CW_EVENT_MASK.rawValue, $0.baseAddress)
        }
        _ = xcb_xfixes_select_selection_input(
            conn, window, clipboard, XCB_XFIXES_SELECTION_EVENT_MASK_SET_SELECTION_OWNER.rawValue)
        // Selected before asking: a change after this round trip is reported as an event.
        if let reply = xcb_get_selection_owner_reply(conn, xcb_get_selection_owner(conn, clipboard), nil) {
            owner = reply.pointee.owner
            free(reply)
        }
        if isForeign(owner, ownWindow: ownWindow) { convert(at: xcb_timestamp_t(XCB_CURRENT_TIME)) }
        connection.flush()
    }

    deinit {
        if !connection.hasError {
            _ = xcb_destroy_window(connection.connection, window)
            connection.flush()
        }
    }

    /// When the pending transfer times out (monotonic ns), nil when none is pending.
    var deadline: Int64? {
        switch transfer {
        case .converting(let deadline)?, .incremental(_, _, let deadline)?: deadline
        case nil: nil
        }
    }

    /// Gives up on a transfer whose owner went quiet past its deadline.
    func expire(now: Int64) {
        guard let deadline, now >= deadline else { return }
        timeouts += 1
        finish()
    }

    /// Handles XFixes selection events, our `SelectionNotify` and INCR `PropertyNotify`s; other events
    /// are ignored. `ownWindow` is our `X11ClipboardOwner`'s window, if any. Returns the clipboard
    /// text when a transfer completed.
    func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>, ownWindow: xcb_window_t?) -> String? {
        let type = event.pointee.response_type & 0x7f
        let raw = UnsafeRawPointer(event)
        if type == selectionNotifyEvent {
            let notify = raw.load(as: xcb_xfixes_selection_notify_event_t.self)
            guard notify.window == window, notify.selection == clipboard else { return nil }
            owner = notify.owner
            guard isForeign(owner, ownWindow: ownWindow) else {
                rerun = nil
                return nil
            }
            if transfer == nil {
                convert(at: notify.selection_timestamp)
                connection.flush()
            } else {
                rerun = notify.selection_timestamp
            }
            return nil
        }
        if type == UInt8(XCB_SELECTION_NOTIFY) {
            let notify = raw.load(as: xcb_selection_notify_event_t.self)
            guard notify.requestor == window, notify.selection == clipboard, case .converting? = transfer else {
                return nil
            }
            guard notify.property == property else { return finish() }  // refused
            return readConverted(ownWindow: ownWindow)
        }
        if type == UInt8(XCB_PROPERTY_NOTIFY) {
            let notify = raw.load(as: xcb_property_notify_event_t.self)
            guard notify.window == window, notify.atom == property,
                notify.state == UInt8(XCB_PROPERTY_NEW_VALUE.rawValue),
                case .incremental(var bytes, var truncated, _)? = transfer
            else { return nil }
            guard let chunk = readProperty(delete: true) else { return finish() }
            if chunk.bytes.isEmpty {  // the end of an INCR transfer
                let foreign = isForeign(owner, ownWindow: ownWindow)
                return finish(text: foreign ? Self.text(bytes, truncated: truncated) : nil)
            }
            let room = Self.maxBytes - bytes.count
            if chunk.bytes.count > room || chunk.truncated { truncated = true }
            bytes += chunk.bytes.prefix(max(0, room))
            transfer = .incremental(bytes: bytes, truncated: truncated, deadline: Self.now() + Self.timeoutNanoseconds)
            return nil
        }
        return nil
    }

    /// Someone else's window, not nobody's.
    private func isForeign(_ owner: xcb_window_t, ownWindow: xcb_window_t?) -> Bool {
        owner != xcb_window_t(XCB_NONE) && owner != window && owner != ownWindow
    }

    private func convert(at time: xcb_timestamp_t) {
        rerun = nil
        conversions += 1
        _ = xcb_convert_selection(connection.connection, window, clipboard, utf8, property, time)
        transfer = .converting(deadline: Self.now() + Self.timeoutNanoseconds)
    }

    /// The SelectionNotify arrived: a whole value, or the start of an INCR transfer.
    private func readConverted(ownWindow: xcb_window_t?) -> String? {
        guard let value = readProperty(delete: false) else { return finish() }
        if value.type == incr {
            // Deleting the INCR property asks the owner for the first chunk.
            _ = xcb_delete_property(connection.connection, window, property)
            connection.flush()
            transfer = .incremental(bytes: [], truncated: false, deadline: Self.now() + Self.timeoutNanoseconds)
            return nil
        }
        _ = xcb_delete_property(connection.connection, window, property)
        // Our own owner may have taken the CLIPBOARD while the owner answered: no echo.
        guard isForeign(owner, ownWindow: ownWindow), value.format == 8 else { return finish() }
        let text =
            value.type == xcb_atom_t(XCB_ATOM_STRING.rawValue)
            ? String(value.bytes.map { Character(Unicode.Scalar($0)) })  // STRING is Latin-1
            : Self.text(value.bytes, truncated: value.truncated)
        return finish(text: text)
    }

    private struct PropertyValue {
        var type: xcb_atom_t
        var format: UInt8
        var bytes: [UInt8]
        var truncated: Bool
    }

    /// Reads our property, at most `maxBytes`; `delete` removes it when read whole (INCR chunks).
    private func readProperty(delete: Bool) -> PropertyValue? {
        let conn = connection.connection
        let cookie = xcb_get_property(
            conn, delete ? 1 : 0, window, property, xcb_atom_t(XCB_GET_PROPERTY_TYPE_ANY.rawValue), 0,
            UInt32(Self.maxBytes / 4))
        guard let reply = xcb_get_property_reply(conn, cookie, nil) else { return nil }
        defer { free(reply) }
        let length = Int(xcb_get_property_value_length(reply))
        let bytes =
            length > 0
            ? Array(UnsafeRawBufferPointer(start: xcb_get_property_value(reply), count: length)) : []
        let truncated = reply.pointee.bytes_after > 0
        if delete && truncated {
            _ = xcb_delete_property(conn, window, property)
            connection.flush()
        }
        return PropertyValue(type: reply.pointee.type, format: reply.pointee.format, bytes: bytes, truncated: truncated)
    }

    /// UTF-8 text; a cut value loses its last character when not all of its bytes are there.
    static func text(_ bytes: [UInt8], truncated: Bool) -> String {
        var end = bytes.count
        if truncated && end > 0 {
            // The lead byte of the last character: back up over at most 3 continuation bytes.
            var lead = end - 1
            while lead > 0 && bytes[lead] & 0xc0 == 0x80 && end - lead < 4 { lead -= 1 }
            let first = bytes[lead]
            let needed = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1
            if end - lead < needed { end = lead }
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Ends the transfer (and starts the one a later owner change asked for); returns `text`.
    @discardableResult
    private func finish(text: String? = nil) -> String? {
        transfer = nil
        if let time = rerun {
            convert(at: time)
            connection.flush()
        }
        return text
    }

    private static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
