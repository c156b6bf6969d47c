import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// The cursor of capture.md §1.5, which the grab does not contain: its shape from XFixes and its
/// position from `QueryPointer`, turned into `DesktopSourceEvent`s for the page to draw.
///
/// - Shape: `SelectCursorInput(root, DISPLAY_CURSOR)` makes the server send a `CursorNotify` on every
///   shape change; the shape is then read with `GetCursorImage` (premultiplied ARGB32), converted to
///   straight-alpha RGBA and PNG-encoded (`PNGEncoder`) once per `cursor_serial`. The last
///   `cacheCapacity` shapes are kept: a shape seen before is re-sent from the cache (no round trip)
///   when it is not the last one sent, and not at all when it is. An animated cursor is a cycle of
///   frames, each with its own serial and notification: 64 entries hold common animations.
/// - Servers with the SECURITY extension refuse `GetCursorImage` (BadAccess) while the cursor shown
///   belongs to a client that has exited (`xsetroot -cursor_name` on Xvfb): the shape then stays the
///   last one sent, and the serials refused are not asked for again.
/// - Position: one `QueryPointer` per capture tick, at most `maxPositionRate` per second (ticks are
///   skipped above 60 fps). The request goes out at the start of the tick and its reply is read at
///   the end, so the round trip overlaps the tick's work instead of adding to it. A position is
///   reported only when its fractions of the capture size changed.
/// - Without XFixes there are no shape events; positions still work.
///
/// Thread confinement: lives on the capture thread with its `X11Connection`, whose events the
/// capture loop hands to `handle(_:)`. Not Sendable.
final class X11CursorTracker {
    static let maxPositionRate: Int64 = 60
    static let cacheCapacity = 64
    private static let positionIntervalNanoseconds = 1_000_000_000 / maxPositionRate

    struct Shape: Equatable {
        var serial: UInt32
        var png: [UInt8]
        var width: Int
        var height: Int
        var xhot: Int
        var yhot: Int

        var event: DesktopSourceEvent {
            .cursorImage(serial: serial, png: png, width: width, height: height, xhot: xhot, yhot: yhot)
        }
    }

    private let connection: X11Connection
    /// XFixes `CursorNotify`'s event number, nil without XFixes.
    private let cursorNotifyEvent: UInt8?
    /// A shape change was notified (or the tracker just started) and not handled yet.
    private var shapePending = true
    /// The serial of the last `CursorNotify` (nil at the start: the image tells).
    private var notifiedSerial: UInt32?
    private var lastSentSerial: UInt32?
    /// Most recently used last.
    private var cache: [Shape] = []
    /// Serials whose image the server refused (bounded: cleared when full).
    private var unreadable: Set<UInt32> = []
    private var pointerCookie: xcb_query_pointer_cookie_t?
    private var lastQueryTime = Int64.min / 2
    private var lastPosition: (x: Double, y: Double)?
    private(set) var shapesFetched = 0

    var hasShapes: Bool { cursorNotifyEvent != nil }

    init(connection: X11Connection) {
        self.connection = connection
        let conn = connection.connection
        if let first = connection.extensionFirstEvent(mxcb_xfixes_extension()),
            let version = xcb_xfixes_query_version_reply(conn, xcb_xfixes_query_version(conn, 5, 0), nil)
        {
            free(version)
            _ = xcb_xfixes_select_cursor_input(
                conn, connection.root, XCB_XFIXES_CURSOR_NOTIFY_MASK_DISPLAY_CURSOR.rawValue)
            connection.flush()
            cursorNotifyEvent = first &+ UInt8(XCB_XFIXES_CURSOR_NOTIFY)
        } else {
            cursorNotifyEvent = nil
        }
    }

    deinit {
        if let cookie = pointerCookie { xcb_discard_reply(connection.connection, cookie.sequence) }
    }

    /// Notes a `CursorNotify`; other events are ignored.
    func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>) {
        guard let cursorNotifyEvent, event.pointee.response_type & 0x7f == cursorNotifyEvent else { return }
        let notify = UnsafeRawPointer(event).load(as: xcb_xfixes_cursor_notify_event_t.self)
        guard notify.subtype == UInt8(XCB_XFIXES_CURSOR_NOTIFY_DISPLAY_CURSOR.rawValue) else { return }
        shapePending = true
        notifiedSerial = notify.cursor_serial
    }

    /// The shape to send after a change (or at the start), nil when there is none or it was the
    /// last one sent. Reads the image (a round trip) only for a serial not in the cache.
    func shapeEvent() -> DesktopSourceEvent? {
        guard cursorNotifyEvent != nil, shapePending else { return nil }
        shapePending = false
        if let serial = notifiedSerial {
            if serial == lastSentSerial { return nil }
            if let index = cache.firstIndex(where: { $0.serial == serial }) {
                return send(cache.remove(at: index))
            }
            if unreadable.contains(serial) { return nil }
        }
        guard let shape = fetchShape() else {
            if let serial = notifiedSerial {
                if unreadable.count >= 256 { unreadable.removeAll() }
                unreadable.insert(serial)
            }
            return nil
        }
        if shape.serial == lastSentSerial { return nil }
        cache.removeAll { $0.serial == shape.serial }
        return send(shape)
    }

    private func send(_ shape: Shape) -> DesktopSourceEvent {
        cache.append(shape)
        if cache.count > Self.cacheCapacity { cache.removeFirst(cache.count - Self.cacheCapacity) }
        lastSentSerial = shape.serial
        return shape.event
    }

    private func fetchShape() -> Shape? {
        let conn = connection.connection
        guard let reply = xcb_xfixes_get_cursor_image_reply(conn, xcb_xfixes_get_cursor_image(conn), nil) else {
            return nil
        }
        defer { free(reply) }
        shapesFetched += 1
        let r = reply.pointee
        let width = Int(r.width), height = Int(r.height)
        let count = Int(xcb_xfixes_get_cursor_image_cursor_image_length(reply))
        guard width > 0, height > 0, count == width * height,
            let pixels = xcb_xfixes_get_cursor_image_cursor_image(reply)
        else { return nil }
        let rgba = Self.straightRGBA(premultipliedARGB: UnsafeBufferPointer(start: pixels, count: count))
        guard let png = PNGEncoder.encode(rgba: rgba, width: width, height: height) else { return nil }
        return Shape(
            serial: r.cursor_serial, png: png, width: width, height: height, xhot: Int(r.xhot), yhot: Int(r.yhot))
    }

    /// XFixes cursor pixels (32-bit ARGB with premultiplied alpha, in host order) to straight-alpha
    /// RGBA bytes: each colour is divided by alpha (rounded, clamped to 255); fully transparent
    /// pixels become 0, 0, 0, 0.
    static func straightRGBA<C: Collection>(premultipliedARGB pixels: C) -> [UInt8] where C.Element == UInt32 {
        var out = [UInt8](repeating: 0, count: pixels.count * 4)
        var i = 0
        for pixel in pixels {
            let a = pixel >> 24
            if a != 0 {
                func straight(_ c: UInt32) -> UInt8 { UInt8(min(255, (c * 255 + a / 2) / a)) }
                out[i] = straight((pixel >> 16) & 0xff)
                out[i + 1] = straight((pixel >> 8) & 0xff)
                out[i + 2] = straight(pixel & 0xff)
                out[i + 3] = UInt8(a)
            }
            i += 4
        }
        return out
    }

    /// At the start of a tick whose nominal time is `time` (monotonic ns): sends a `QueryPointer`
    /// unless one went out less than 1/60 s ago.
    func requestPosition(at time: Int64) {
        guard time - lastQueryTime >= Self.positionIntervalNanoseconds else { return }
        if let cookie = pointerCookie { xcb_discard_reply(connection.connection, cookie.sequence) }
        lastQueryTime = time
        pointerCookie = xcb_query_pointer(connection.connection, connection.root)
        connection.flush()
    }

    /// At the end of the tick: the reply of `requestPosition`, as fractions of the capture size
    /// (the screen cropped to even sizes), when they changed. nil without a size yet.
    func positionEvent(width: Int, height: Int) -> DesktopSourceEvent? {
        guard let cookie = pointerCookie else { return nil }
        pointerCookie = nil
        guard let reply = xcb_query_pointer_reply(connection.connection, cookie, nil) else { return nil }
        defer { free(reply) }
        guard reply.pointee.same_screen != 0, width > 0, height > 0 else { return nil }
        let position = (
            x: min(max(Double(reply.pointee.root_x) / Double(width), 0), 1),
            y: min(max(Double(reply.pointee.root_y) / Double(height), 0), 1)
        )
        if let last = lastPosition, last == position { return nil }
        lastPosition = position
        return .cursorPosition(x: position.x, y: position.y)
    }
}
