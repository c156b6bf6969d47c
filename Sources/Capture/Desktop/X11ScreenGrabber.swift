import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// Grabs the root window of an X display (capture.md §1.1–1.3) into memory the caller reads as an
/// `X11Image`: MIT-SHM with a memfd segment (SHM ≥ 1.2) first, a SysV segment second, and core
/// `GetImage` as the always-working fallback. `path` says which one is in use.
///
/// Root size changes arrive as `ConfigureNotify` on the root (and RandR `ScreenChangeNotify`);
/// the capture loop hands every event of the connection to `handle(_:)`, and the next `grab()`
/// recreates the segment at the new size.
///
/// Thread confinement: lives on the capture thread with its `X11Connection`. Not Sendable.
final class X11ScreenGrabber {
    let connection: X11Connection
    let format: X11PixelFormat
    private(set) var path: X11GrabPath
    private(set) var width: Int
    private(set) var height: Int
    private var stride: Int
    private let bitsPerPixel: Int
    private let scanlinePad: Int
    private let depth: UInt8
    private var segment: Segment?
    private var lastReply: UnsafeMutableRawPointer?  // GetImage reply backing the last X11Image
    private var pendingSize: (width: Int, height: Int)?
    private let randrFirstEvent: UInt8?

    /// A shared segment attached to the server.
    private struct Segment {
        let id: xcb_shm_seg_t
        let base: UnsafeMutableRawPointer
        let size: Int
        let sysV: Bool
    }

    /// `paths` limits the grab paths tried (tests force the fallbacks); they are tried fastest first.
    init(
        connection: X11Connection, paths: Set<X11GrabPath> = [.shmMemfd, .shmSysV, .getImage]
    ) throws(DesktopCaptureError) {
        self.connection = connection
        let conn = connection.connection
        let screen = connection.screen.pointee
        let setup = xcb_get_setup(conn)!
        depth = screen.root_depth
        width = Int(screen.width_in_pixels)
        height = Int(screen.height_in_pixels)

        // Pixel layout: the root visual's masks, the depth's bits per pixel, the image byte order.
        var bpp = 0, pad = 32
        var formats = xcb_setup_pixmap_formats_iterator(setup)
        while formats.rem > 0 {
            if formats.data.pointee.depth == depth {
                bpp = Int(formats.data.pointee.bits_per_pixel)
                pad = Int(formats.data.pointee.scanline_pad)
            }
            xcb_format_next(&formats)
        }
        guard let visual = Self.visual(screen: connection.screen, id: screen.root_visual) else {
            throw .unsupportedPixelFormat(
                "root visual 0x\(String(screen.root_visual, radix: 16)) not found in the screen's depths")
        }
        format = try X11PixelFormat.classify(
            bitsPerPixel: bpp, lsbFirst: setup.pointee.image_byte_order == UInt8(XCB_IMAGE_ORDER_LSB_FIRST.rawValue),
            red: visual.red_mask, green: visual.green_mask, blue: visual.blue_mask)
        bitsPerPixel = bpp
        scanlinePad = max(8, pad)
        stride = Self.stride(width: width, bitsPerPixel: bpp, pad: max(8, pad))

        // Follow root size changes: ConfigureNotify on the root, plus RandR where the server has it.
        let mask = [XCB_EVENT_MASK_STRUCTURE_NOTIFY.rawValue]
        let root = connection.root
        _ = mask.withUnsafeBytes {
            xcb_change_window_attributes(conn, root, XCB_CW_EVENT_MASK.rawValue, $0.baseAddress)
        }
        if let first = connection.extensionFirstEvent(mxcb_randr_extension()),
            let version = xcb_randr_query_version_reply(conn, xcb_randr_query_version(conn, 1, 2), nil)
        {
            free(version)
            _ = xcb_randr_select_input(conn, root, UInt16(XCB_RANDR_NOTIFY_MASK_SCREEN_CHANGE.rawValue))
            randrFirstEvent = first
        } else {
            randrFirstEvent = nil
        }

        // Grab path: SHM when present and an attach succeeds, else GetImage.
        path = .getImage
        var shmMinor: Int?
        if connection.extensionFirstEvent(mxcb_shm_extension()) != nil,
            let version = xcb_shm_query_version_reply(conn, xcb_shm_query_version(conn), nil)
        {
            shmMinor = version.pointee.major_version > 1 ? 99 : Int(version.pointee.minor_version)
            free(version)
        }
        if let minor = shmMinor {
            if paths.contains(.shmMemfd), minor >= 2, let seg = attachMemfd(size: stride * height) {
                segment = seg
                path = .shmMemfd
            } else if paths.contains(.shmSysV), let seg = attachSysV(size: stride * height) {
                segment = seg
                path = .shmSysV
            }
        }
        if path == .getImage && !paths.contains(.getImage) {
            throw .grabFailed(
                "no allowed grab path works on \(connection.display) (tried \(paths.map(\.rawValue).sorted()))")
        }
        connection.flush()
    }

    deinit {
        releaseSegment()
        free(lastReply)
    }

    /// Notes root size changes; other events are ignored. Returns true when the size changed.
    @discardableResult
    func handle(_ event: UnsafeMutablePointer<xcb_generic_event_t>) -> Bool {
        let type = event.pointee.response_type & 0x7f
        let raw = UnsafeRawPointer(event)
        var size: (width: Int, height: Int)?
        if type == UInt8(XCB_CONFIGURE_NOTIFY) {
            let notify = raw.load(as: xcb_configure_notify_event_t.self)
            if notify.window == connection.root { size = (Int(notify.width), Int(notify.height)) }
        } else if let first = randrFirstEvent, type == first &+ UInt8(XCB_RANDR_SCREEN_CHANGE_NOTIFY) {
            let notify = raw.load(as: xcb_randr_screen_change_notify_event_t.self)
            if notify.root == connection.root {
                // Rotated by 90°/270° the width and height swap.
                let rotated =
                    UInt32(notify.rotation)
                    & (XCB_RANDR_ROTATION_ROTATE_90.rawValue | XCB_RANDR_ROTATION_ROTATE_270.rawValue) != 0
                size = rotated ? (Int(notify.height), Int(notify.width)) : (Int(notify.width), Int(notify.height))
            }
        }
        guard let size, size != (pendingSize ?? (width, height)) else { return false }
        pendingSize = size
        return true
    }

    /// True when a size change is waiting for the next grab.
    var sizeChangePending: Bool { pendingSize != nil }

    /// Grabs the whole root window. The image stays valid until the next call.
    func grab() throws(DesktopCaptureError) -> X11Image {
        if let size = pendingSize { resize(to: size) }
        do {
            return try grabOnce()
        } catch let error {
            // A resize we have not heard of yet makes the request fail with BadMatch: re-read the
            // size once and retry.
            guard !connection.hasError, let size = connection.rootSize(), size != (width, height) else { throw error }
            resize(to: size)
            return try grabOnce()
        }
    }

    private func grabOnce() throws(DesktopCaptureError) -> X11Image {
        let conn = connection.connection
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        let planes = UInt32.max
        let zPixmap = UInt8(XCB_IMAGE_FORMAT_Z_PIXMAP.rawValue)
        if let segment {
            let cookie = xcb_shm_get_image(
                conn, connection.root, 0, 0, UInt16(width), UInt16(height), planes, zPixmap, segment.id, 0)
            let reply = xcb_shm_get_image_reply(conn, cookie, &error)
            defer { free(reply); free(error) }
            guard let reply else { throw failure("ShmGetImage", error) }
            guard Int(reply.pointee.size) >= stride * height else {
                throw .grabFailed("ShmGetImage returned \(reply.pointee.size) bytes for \(width)x\(height)")
            }
            return X11Image(
                base: UnsafeRawPointer(segment.base), width: width, height: height, stride: stride, format: format)
        }
        let cookie = xcb_get_image(conn, zPixmap, connection.root, 0, 0, UInt16(width), UInt16(height), planes)
        let reply = xcb_get_image_reply(conn, cookie, &error)
        defer { free(error) }
        guard let reply else { throw failure("GetImage", error) }
        // The reply holds the pixels: keep it as the image's backing until the next grab.
        free(lastReply)
        lastReply = UnsafeMutableRawPointer(reply)
        guard Int(xcb_get_image_data_length(reply)) >= stride * height, let data = xcb_get_image_data(reply) else {
            throw .grabFailed("GetImage returned \(xcb_get_image_data_length(reply)) bytes for \(width)x\(height)")
        }
        return X11Image(base: UnsafeRawPointer(data), width: width, height: height, stride: stride, format: format)
    }

    private func failure(_ request: String, _ error: UnsafeMutablePointer<xcb_generic_error_t>?) -> DesktopCaptureError
    {
        if connection.hasError { return connection.lostError }
        return .grabFailed(
            "\(request) of \(width)x\(height) failed with X error \(error.map { Int($0.pointee.error_code) } ?? -1)")
    }

    /// New size: a segment of the new size (same path), or GetImage if re-attaching fails.
    private func resize(to size: (width: Int, height: Int)) {
        pendingSize = nil
        guard size != (width, height) else { return }
        width = size.width
        height = size.height
        stride = Self.stride(width: width, bitsPerPixel: bitsPerPixel, pad: scanlinePad)
        guard path != .getImage else { return }
        releaseSegment()
        let bytes = stride * height
        if path == .shmMemfd, let seg = attachMemfd(size: bytes) {
            segment = seg
        } else if let seg = attachSysV(size: bytes) {
            segment = seg
            path = .shmSysV
        } else {
            path = .getImage
        }
    }

    // MARK: - Segments

    /// memfd + mmap on our side, `ShmAttachFd` on the server's (XCB closes the fd it sends).
    private func attachMemfd(size: Int) -> Segment? {
        let fd = mxcb_memfd_create("marionette-desktop-grab", 1 /* MFD_CLOEXEC */)
        guard fd >= 0 else { return nil }
        guard ftruncate(fd, off_t(size)) == 0,
            let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
            base != UnsafeMutableRawPointer(bitPattern: -1)  // MAP_FAILED
        else {
            close(fd)
            return nil
        }
        let conn = connection.connection
        let id = xcb_generate_id(conn)
        guard connection.check(xcb_shm_attach_fd_checked(conn, id, fd, 0)) == nil else {
            munmap(base, size)
            return nil
        }
        return Segment(id: id, base: base, size: size, sysV: false)
    }

    /// SysV segment, marked IPC_RMID right after the attach so that nothing leaks on a crash.
    private func attachSysV(size: Int) -> Segment? {
        let id = shmget(0 /* IPC_PRIVATE */, size, IPC_CREAT | 0o600)
        guard id >= 0 else { return nil }
        defer { shmctl(id, IPC_RMID, nil) }
        guard let base = shmat(id, nil, 0), base != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        let conn = connection.connection
        let seg = xcb_generate_id(conn)
        guard connection.check(xcb_shm_attach_checked(conn, seg, UInt32(id), 0)) == nil else {
            shmdt(base)
            return nil
        }
        return Segment(id: seg, base: base, size: size, sysV: true)
    }

    private func releaseSegment() {
        guard let segment else { return }
        self.segment = nil
        if !connection.hasError {
            _ = xcb_shm_detach(connection.connection, segment.id)
            connection.flush()
        }
        if segment.sysV { shmdt(segment.base) } else { munmap(segment.base, segment.size) }
    }

    // MARK: - Helpers

    private static func stride(width: Int, bitsPerPixel: Int, pad: Int) -> Int {
        (width * bitsPerPixel + pad - 1) / pad * pad / 8
    }

    private static func visual(screen: UnsafeMutablePointer<xcb_screen_t>, id: xcb_visualid_t) -> xcb_visualtype_t? {
        var depths = xcb_screen_allowed_depths_iterator(screen)
        while depths.rem > 0 {
            var visuals = xcb_depth_visuals_iterator(depths.data)
            while visuals.rem > 0 {
                if visuals.data.pointee.visual_id == id { return visuals.data.pointee }
                xcb_visualtype_next(&visuals)
            }
            xcb_depth_next(&depths)
        }
        return nil
    }
}
