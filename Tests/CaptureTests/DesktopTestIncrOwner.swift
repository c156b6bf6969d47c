import CXCB

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// A CLIPBOARD owner for the tests that always answers `UTF8_STRING` with the INCR protocol (ICCCM
/// 2.7.2): an `INCR` property with the size, then one chunk per deletion of the property by the
/// requestor, then a zero-length chunk. On its own connection; events are handled in `wait`.
final class DesktopTestIncrOwner {
    let connection: X11Connection
    let window: xcb_window_t
    private let clipboard: xcb_atom_t, utf8: xcb_atom_t, incr: xcb_atom_t
    private let bytes: [UInt8]
    private let chunk: Int
    private var transfer: (requestor: xcb_window_t, property: xcb_atom_t, offset: Int, done: Bool)?
    private(set) var chunksSent = 0

    init(display: String, text: String, chunk: Int) throws {
        connection = try X11Connection(display: display)
        let conn = connection.connection
        bytes = Array(text.utf8)
        self.chunk = chunk
        window = xcb_generate_id(conn)
        _ = xcb_create_window(
            conn, 0, window, connection.root, 0, 0, 1, 1, 0, UInt16(XCB_WINDOW_CLASS_INPUT_ONLY.rawValue),
            connection.screen.pointee.root_visual, 0, nil)
        clipboard = connection.atom("CLIPBOARD")
        utf8 = connection.atom("UTF8_STRING")
        incr = connection.atom("INCR")
        _ = xcb_set_selection_owner(conn, window, clipboard, xcb_timestamp_t(XCB_CURRENT_TIME))
        connection.sync()
    }

    /// Waits for `condition` while serving the transfer.
    func wait(upTo seconds: Double = 10, until condition: () -> Bool) -> Bool {
        DesktopTestDisplay.wait(upTo: seconds) {
            connection.drainEvents { handle($0) }
            return condition()
        }
    }

    private func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>) {
        let conn = connection.connection
        let raw = UnsafeRawPointer(event)
        switch Int32(event.pointee.response_type & 0x7f) {
        case XCB_SELECTION_REQUEST:
            let request = raw.load(as: xcb_selection_request_event_t.self)
            guard request.owner == window, request.selection == clipboard else { return }
            var notify = xcb_selection_notify_event_t()
            notify.response_type = UInt8(XCB_SELECTION_NOTIFY)
            notify.time = request.time
            notify.requestor = request.requestor
            notify.selection = request.selection
            notify.target = request.target
            notify.property = xcb_atom_t(XCB_NONE)
            if request.target == utf8 && transfer == nil {
                let mask = [XCB_EVENT_MASK_PROPERTY_CHANGE.rawValue]
                _ = mask.withUnsafeBytes {
                    xcb_change_window_attributes(conn, request.requestor, XCB_CW_EVENT_MASK.rawValue, $0.baseAddress)
                }
                let size = [UInt32(bytes.count)]
                _ = size.withUnsafeBytes {
                    xcb_change_property(
                        conn, UInt8(XCB_PROP_MODE_REPLACE.rawValue), request.requestor, request.property, incr, 32, 1,
                        $0.baseAddress)
                }
                transfer = (request.requestor, request.property, 0, false)
                notify.property = request.property
            }
            withUnsafeBytes(of: &notify) { bytes in
                var buffer = [CChar](repeating: 0, count: 32)
                for i in 0..<min(32, bytes.count) { buffer[i] = CChar(bitPattern: bytes[i]) }
                _ = xcb_send_event(conn, 0, request.requestor, XCB_EVENT_MASK_NO_EVENT.rawValue, buffer)
            }
            connection.flush()
        case XCB_PROPERTY_NOTIFY:
            let notify = raw.load(as: xcb_property_notify_event_t.self)
            guard var current = transfer, !current.done, notify.window == current.requestor,
                notify.atom == current.property, notify.state == UInt8(XCB_PROPERTY_DELETE.rawValue)
            else { return }
            // The requestor deleted the last property: the next chunk, or the empty one at the end.
            let end = min(current.offset + chunk, bytes.count)
            let piece = Array(bytes[current.offset..<end])
            _ = piece.withUnsafeBytes {
                xcb_change_property(
                    conn, UInt8(XCB_PROP_MODE_REPLACE.rawValue), current.requestor, current.property, utf8, 8,
                    UInt32(piece.count), $0.baseAddress)
            }
            connection.flush()
            chunksSent += 1
            current.done = piece.isEmpty
            current.offset = end
            transfer = current
        default:
            break
        }
    }
}
