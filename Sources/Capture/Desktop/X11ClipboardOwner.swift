import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// Owns the X `CLIPBOARD` selection with a UTF-8 text and answers other clients' requests for it
/// (capture.md §2.4): `TARGETS`, `UTF8_STRING`, `TEXT`, and `STRING` when the text is Latin-1.
/// Text larger than one request would need the INCR protocol; it is cut at `maxBytes` instead.
///
/// Thread confinement: lives on the input thread with the injector's connection, whose events the
/// input thread hands to `handle(_:)`. Not Sendable.
final class X11ClipboardOwner {
    static let maxBytes = 1 << 20

    private let connection: X11Connection
    let window: xcb_window_t
    private let clipboard: xcb_atom_t
    private let targets: xcb_atom_t
    private let utf8: xcb_atom_t
    private let text: xcb_atom_t
    private let string = xcb_atom_t(XCB_ATOM_STRING.rawValue)
    private let atomType = xcb_atom_t(XCB_ATOM_ATOM.rawValue)
    private var content: [UInt8]?
    private(set) var requestsAnswered = 0

    init(connection: X11Connection) {
        self.connection = connection
        let conn = connection.connection
        window = xcb_generate_id(conn)
        // An unmapped 1×1 InputOnly window: selections need a window to own them and to receive events.
        _ = xcb_create_window(
            conn, 0, window, connection.root, 0, 0, 1, 1, 0, UInt16(XCB_WINDOW_CLASS_INPUT_ONLY.rawValue),
            connection.screen.pointee.root_visual, 0, nil)
        clipboard = connection.atom("CLIPBOARD")
        targets = connection.atom("TARGETS")
        utf8 = connection.atom("UTF8_STRING")
        text = connection.atom("TEXT")
    }

    deinit {
        if !connection.hasError {
            _ = xcb_destroy_window(connection.connection, window)
            connection.flush()
        }
    }

    /// Takes the CLIPBOARD with `value`. Returns false when the server did not make us the owner.
    @discardableResult
    func own(_ value: String) -> Bool {
        content = Array(value.utf8.prefix(Self.maxBytes))
        let conn = connection.connection
        _ = xcb_set_selection_owner(conn, window, clipboard, xcb_timestamp_t(XCB_CURRENT_TIME))
        guard let reply = xcb_get_selection_owner_reply(conn, xcb_get_selection_owner(conn, clipboard), nil) else {
            return false
        }
        defer { free(reply) }
        return reply.pointee.owner == window
    }

    /// Answers `SelectionRequest`s and notes `SelectionClear` (someone else copied). Other events
    /// are ignored. Returns true when the event was for us.
    @discardableResult
    func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>) -> Bool {
        let type = event.pointee.response_type & 0x7f
        let raw = UnsafeRawPointer(event)
        if type == UInt8(XCB_SELECTION_CLEAR) {
            let clear = raw.load(as: xcb_selection_clear_event_t.self)
            guard clear.owner == window, clear.selection == clipboard else { return false }
            content = nil
            return true
        }
        guard type == UInt8(XCB_SELECTION_REQUEST) else { return false }
        let request = raw.load(as: xcb_selection_request_event_t.self)
        guard request.owner == window, request.selection == clipboard else { return false }
        // Obsolete clients send property None: answer in the target's name then (ICCCM 2.2).
        let property = request.property == xcb_atom_t(XCB_NONE) ? request.target : request.property
        let answered =
            content.map { answer(request.target, into: property, of: request.requestor, content: $0) } ?? false
        var notify = xcb_selection_notify_event_t()
        notify.response_type = UInt8(XCB_SELECTION_NOTIFY)
        notify.time = request.time
        notify.requestor = request.requestor
        notify.selection = request.selection
        notify.target = request.target
        notify.property = answered ? property : xcb_atom_t(XCB_NONE)
        let conn = connection.connection
        withUnsafeBytes(of: &notify) { bytes in
            // SendEvent takes a 32-byte event; xcb_selection_notify_event_t is exactly that.
            var buffer = [CChar](repeating: 0, count: 32)
            for i in 0..<min(32, bytes.count) { buffer[i] = CChar(bitPattern: bytes[i]) }
            _ = xcb_send_event(conn, 0, request.requestor, XCB_EVENT_MASK_NO_EVENT.rawValue, buffer)
        }
        connection.flush()
        requestsAnswered += 1
        return true
    }

    private func answer(
        _ target: xcb_atom_t, into property: xcb_atom_t, of requestor: xcb_window_t, content: [UInt8]
    ) -> Bool {
        let conn = connection.connection
        let replace = UInt8(XCB_PROP_MODE_REPLACE.rawValue)
        switch target {
        case targets:
            let list = [targets, utf8, text, string]
            _ = list.withUnsafeBytes {
                xcb_change_property(
                    conn, replace, requestor, property, atomType, 32, UInt32(list.count), $0.baseAddress)
            }
        case utf8, text:
            _ = content.withUnsafeBytes {
                xcb_change_property(conn, replace, requestor, property, utf8, 8, UInt32(content.count), $0.baseAddress)
            }
        case string:
            // STRING is Latin-1: only when every character fits.
            let scalars = String(decoding: content, as: UTF8.self).unicodeScalars
            guard scalars.allSatisfy({ $0.value <= 0xff }) else { return false }
            let latin1 = scalars.map { UInt8($0.value) }
            _ = latin1.withUnsafeBytes {
                xcb_change_property(conn, replace, requestor, property, string, 8, UInt32(latin1.count), $0.baseAddress)
            }
        default:
            return false
        }
        return true
    }
}
