import CXCB

#if canImport(Glibc)
import Glibc
#endif

/// Puts BGRX pictures on a display's root window with core `PutImage` requests (ZPixmap, through
/// the socket, as an X client without MIT-SHM draws), in strips that fit the server's maximum
/// request length. Drawing on the root damages it like any window would.
///
/// Thread confinement: one connection, used from the one thread that draws; not Sendable.
final class RootWindowPainter {
    let width: Int
    let height: Int
    private let connection: OpaquePointer
    private let root: xcb_window_t
    private let gc: xcb_gcontext_t
    private let depth: UInt8
    private let rowsPerRequest: Int

    init(display: String) throws(BenchFailure) {
        var screenNumber: Int32 = 0
        guard let connection = xcb_connect(display, &screenNumber), xcb_connection_has_error(connection) == 0 else {
            throw BenchFailure("cannot connect to X display \(display)")
        }
        let setup = xcb_get_setup(connection)!
        var roots = xcb_setup_roots_iterator(setup)
        for _ in 0..<max(0, Int(screenNumber)) where roots.rem > 0 { xcb_screen_next(&roots) }
        guard roots.rem > 0, let screen = roots.data else {
            xcb_disconnect(connection)
            throw BenchFailure("display \(display) has no screen \(screenNumber)")
        }
        do throws(BenchFailure) {
            try Self.checkBGRX(setup: setup, screen: screen)
        } catch {
            xcb_disconnect(connection)
            throw error
        }
        self.connection = connection
        root = screen.pointee.root
        width = Int(screen.pointee.width_in_pixels)
        height = Int(screen.pointee.height_in_pixels)
        depth = screen.pointee.root_depth
        gc = xcb_generate_id(connection)
        _ = xcb_create_gc(connection, gc, root, 0, nil)
        // In 4-byte units; BIG-REQUESTS (which xcb enables here) lifts it to 16 MiB on Xvfb.
        let maxBytes = Int(xcb_get_maximum_request_length(connection)) * 4
        rowsPerRequest = max(1, min(height, (maxBytes - 64) / (width * 4)))
    }

    deinit {
        _ = xcb_free_gc(connection, gc)
        xcb_disconnect(connection)
    }

    /// Sends rows `rows` of `pixels` (width × height, row-major, no padding) to the same rows of the
    /// screen. The data is written to the socket before each request returns.
    func put(_ pixels: UnsafeBufferPointer<UInt32>, rows: Range<Int>) {
        precondition(pixels.count >= width * height && rows.lowerBound >= 0 && rows.upperBound <= height)
        var y = rows.lowerBound
        while y < rows.upperBound {
            let count = min(rowsPerRequest, rows.upperBound - y)
            _ = xcb_put_image(
                connection, UInt8(XCB_IMAGE_FORMAT_Z_PIXMAP.rawValue), root, gc, UInt16(width), UInt16(count), 0,
                Int16(y), 0, depth, UInt32(count * width * 4), UnsafeRawPointer(pixels.baseAddress! + y * width)
                    .assumingMemoryBound(to: UInt8.self))
            y += count
        }
    }

    /// A round trip: returns once the server has drawn everything sent before, so that a slow
    /// server holds the drawing thread back instead of queueing frames in the socket.
    func sync() throws(BenchFailure) {
        let reply = xcb_get_input_focus_reply(connection, xcb_get_input_focus(connection), nil)
        defer { free(reply) }
        guard reply != nil, xcb_connection_has_error(connection) == 0 else {
            throw BenchFailure("the X connection was lost")
        }
    }

    /// The pictures are 32-bit pixels, bytes B, G, R, X: the root's depth must use 32 bits per pixel
    /// in LSBFirst order with a TrueColor visual of masks ff0000 / 00ff00 / 0000ff (Xvfb -screen 0 WxHx24).
    private static func checkBGRX(setup: UnsafePointer<xcb_setup_t>, screen: UnsafeMutablePointer<xcb_screen_t>)
        throws(BenchFailure)
    {
        let depth = screen.pointee.root_depth
        var bitsPerPixel = 0
        var formats = xcb_setup_pixmap_formats_iterator(setup)
        while formats.rem > 0 {
            if formats.data.pointee.depth == depth { bitsPerPixel = Int(formats.data.pointee.bits_per_pixel) }
            xcb_format_next(&formats)
        }
        var masks: (UInt32, UInt32, UInt32)?
        var depths = xcb_screen_allowed_depths_iterator(screen)
        while depths.rem > 0, masks == nil {
            var visuals = xcb_depth_visuals_iterator(depths.data)
            while visuals.rem > 0 {
                let visual = visuals.data.pointee
                if visual.visual_id == screen.pointee.root_visual {
                    masks = (visual.red_mask, visual.green_mask, visual.blue_mask)
                }
                xcb_visualtype_next(&visuals)
            }
            xcb_depth_next(&depths)
        }
        let lsbFirst = setup.pointee.image_byte_order == UInt8(XCB_IMAGE_ORDER_LSB_FIRST.rawValue)
        guard bitsPerPixel == 32, lsbFirst, let masks, masks == (0xff0000, 0x00ff00, 0x0000ff) else {
            throw BenchFailure(
                "the root window is not 32-bit BGRX (depth \(depth), \(bitsPerPixel) bpp, "
                    + "\(lsbFirst ? "LSBFirst" : "MSBFirst")); start Xvfb with -screen 0 WxHx24")
        }
    }
}
