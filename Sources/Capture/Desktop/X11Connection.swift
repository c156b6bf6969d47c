import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// One XCB connection to a display and its screen's root window.
///
/// Thread confinement: an XCB connection may be used from several threads, but the event queue
/// and the reply order of one user must not interleave with another's, so each pipeline part
/// (capture, input) opens its own connection and uses it from one thread only. Not Sendable.
final class X11Connection {
    let display: String
    let connection: OpaquePointer
    let screen: UnsafeMutablePointer<xcb_screen_t>
    var root: xcb_window_t { screen.pointee.root }

    init(display: String) throws(DesktopCaptureError) {
        var screenNumber: Int32 = 0
        guard let connection = xcb_connect(display, &screenNumber) else {
            throw .displayUnavailable(display: display, reason: "xcb_connect returned nothing")
        }
        let code = xcb_connection_has_error(connection)
        guard code == 0 else {
            xcb_disconnect(connection)
            throw .displayUnavailable(display: display, reason: Self.describe(connectionError: code))
        }
        var roots = xcb_setup_roots_iterator(xcb_get_setup(connection))
        for _ in 0..<max(0, Int(screenNumber)) where roots.rem > 0 { xcb_screen_next(&roots) }
        guard roots.rem > 0, let screen = roots.data else {
            xcb_disconnect(connection)
            throw .displayUnavailable(display: display, reason: "screen \(screenNumber) does not exist")
        }
        self.display = display
        self.connection = connection
        self.screen = screen
    }

    deinit { xcb_disconnect(connection) }

    /// Non-zero once the socket broke (server gone) or the protocol failed; the connection is dead.
    var hasError: Bool { xcb_connection_has_error(connection) != 0 }

    var lostError: DesktopCaptureError {
        .displayUnavailable(
            display: display,
            reason: "connection lost (\(Self.describe(connectionError: xcb_connection_has_error(connection))))")
    }

    var fileDescriptor: Int32 { xcb_get_file_descriptor(connection) }

    /// The extension's first event number when the server has it, else nil.
    func extensionFirstEvent(_ id: OpaquePointer) -> UInt8? {
        guard let data = xcb_get_extension_data(connection, id), data.pointee.present != 0 else { return nil }
        return data.pointee.first_event
    }

    /// Hands every event already received to `body` without blocking, then frees it. Events are
    /// read from the socket here too, which is how a dead server is noticed while idle.
    func drainEvents(_ body: (UnsafeMutablePointer<xcb_generic_event_t>) -> Void) {
        while let event = xcb_poll_for_event(connection) {
            body(event)
            free(event)
        }
    }

    func flush() { _ = xcb_flush(connection) }

    /// A round trip: when it returns, the server has processed every request sent before.
    @discardableResult
    func sync() -> Bool {
        let reply = xcb_get_input_focus_reply(connection, xcb_get_input_focus(connection), nil)
        defer { free(reply) }
        return reply != nil
    }

    /// The root window's current size (a round trip).
    func rootSize() -> (width: Int, height: Int)? {
        guard let reply = xcb_get_geometry_reply(connection, xcb_get_geometry(connection, root), nil) else {
            return nil
        }
        defer { free(reply) }
        return (Int(reply.pointee.width), Int(reply.pointee.height))
    }

    /// Interns an atom (a round trip); XCB_NONE on failure.
    func atom(_ name: String, onlyIfExists: Bool = false) -> xcb_atom_t {
        let cookie = name.withCString { xcb_intern_atom(connection, onlyIfExists ? 1 : 0, UInt16(strlen($0)), $0) }
        guard let reply = xcb_intern_atom_reply(connection, cookie, nil) else { return xcb_atom_t(XCB_NONE) }
        defer { free(reply) }
        return reply.pointee.atom
    }

    /// Sends a checked request's cookie and waits: nil on success, else the X error code.
    func check(_ cookie: xcb_void_cookie_t) -> UInt8? {
        guard let error = xcb_request_check(connection, cookie) else { return nil }
        defer { free(error) }
        return error.pointee.error_code
    }

    static func describe(connectionError code: Int32) -> String {
        switch code {
        case 0: "no error"
        case 1: "socket error: the X server is not running or went away"
        case 2: "an extension is not supported"
        case 3: "out of memory"
        case 4: "request too long"
        case 5: "cannot parse the display name"
        case 6: "no such screen on the display"
        case 7: "file descriptor passing failed"
        default: "XCB connection error \(code)"
        }
    }
}
