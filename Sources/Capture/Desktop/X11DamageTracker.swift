import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// Tells the capture loop whether the screen changed since the last grab (capture.md §1.4).
///
/// With DAMAGE: one damage object on the root at report level non-empty, so the server sends a
/// single `DamageNotify` when the damaged region goes from empty to non-empty. `willGrab()`
/// subtracts the whole region right before each grab: drawing during or after the grab then raises
/// a new notification instead of being lost. No notification ⇒ no grab at all.
///
/// Without DAMAGE (or when told not to use it): every tick grabs, and `FrameRowHasher` compares the
/// row hashes of the new frame with the previous ones.
///
/// Thread confinement: lives on the capture thread with its `X11Connection`. Not Sendable.
final class X11DamageTracker {
    enum Mode: String { case damage, rowHash = "row-hash" }

    let mode: Mode
    private let connection: X11Connection
    private let damage: xcb_damage_damage_t
    private let notifyEvent: UInt8
    private var dirty = false
    private var hasher = FrameRowHasher()

    init(connection: X11Connection, useDamage: Bool = true) {
        self.connection = connection
        let conn = connection.connection
        // Both extensions must be negotiated before any other request of theirs (DAMAGE uses
        // XFixes regions, NONE here).
        if useDamage, let first = connection.extensionFirstEvent(mxcb_damage_extension()),
            connection.extensionFirstEvent(mxcb_xfixes_extension()) != nil,
            let fixes = xcb_xfixes_query_version_reply(conn, xcb_xfixes_query_version(conn, 5, 0), nil),
            let version = xcb_damage_query_version_reply(conn, xcb_damage_query_version(conn, 1, 1), nil)
        {
            free(fixes)
            free(version)
            let id = xcb_generate_id(conn)
            _ = xcb_damage_create(conn, id, connection.root, UInt8(XCB_DAMAGE_REPORT_LEVEL_NON_EMPTY.rawValue))
            connection.flush()
            damage = id
            notifyEvent = first &+ UInt8(XCB_DAMAGE_NOTIFY)
            mode = .damage
        } else {
            damage = 0
            notifyEvent = 0
            mode = .rowHash
        }
    }

    deinit {
        if mode == .damage && !connection.hasError {
            _ = xcb_damage_destroy(connection.connection, damage)
            connection.flush()
        }
    }

    /// Notes a `DamageNotify` for our damage object; other events are ignored.
    func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>) {
        guard mode == .damage, event.pointee.response_type & 0x7f == notifyEvent else { return }
        let notify = UnsafeRawPointer(event).load(as: xcb_damage_notify_event_t.self)
        if notify.damage == damage { dirty = true }
    }

    /// Whether this tick should grab: damage seen since the last grab, or always without DAMAGE.
    var needsGrab: Bool { mode == .rowHash || dirty }

    /// Right before a grab: clears the damage region so that later drawing notifies again.
    func willGrab() {
        guard mode == .damage else { return }
        dirty = false
        _ = xcb_damage_subtract(
            connection.connection, damage, xcb_xfixes_region_t(XCB_NONE), xcb_xfixes_region_t(XCB_NONE))
    }

    /// After a grab: whether its pixels may differ from the previous grab's. With DAMAGE the
    /// notification already said so; without it the row hashes decide.
    func didGrab(_ image: X11Image) -> Bool {
        guard mode == .rowHash else { return true }
        return hasher.update(
            base: image.base, width: image.width, height: image.height, stride: image.stride,
            bytesPerPixel: image.format.bytesPerPixel)
    }

    /// Forget what was seen: the next grab counts as a change (after a size change).
    func reset() {
        hasher.reset()
        if mode == .damage { dirty = true }
    }
}
