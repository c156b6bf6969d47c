/// Memory layout of a ZPixmap of the root window (capture.md §1.3), with the libyuv converter that
/// reads it. libyuv names formats in little-endian word order: its "ARGB" is bytes B, G, R, A.
enum X11PixelFormat: String, Sendable, Equatable {
    /// 32 bpp, LSBFirst, R ff0000 / G 00ff00 / B 0000ff: bytes B, G, R, X (Xvfb, Xorg): ARGBToI420.
    case bgrx
    /// 32 bpp, LSBFirst, R 0000ff / G 00ff00 / B ff0000: bytes R, G, B, X: ABGRToI420.
    case rgbx
    /// 32 bpp, MSBFirst, R ff0000 / G 00ff00 / B 0000ff: bytes X, R, G, B: BGRAToI420.
    case xrgb
    /// 16 bpp, LSBFirst, R f800 / G 07e0 / B 001f: RGB565ToI420.
    case rgb565

    var bytesPerPixel: Int { self == .rgb565 ? 2 : 4 }

    /// The layout for a visual's masks, the server's image byte order and the depth's bits per
    /// pixel; a descriptive error for anything else.
    static func classify(
        bitsPerPixel: Int, lsbFirst: Bool, red: UInt32, green: UInt32, blue: UInt32
    )
        throws(DesktopCaptureError) -> X11PixelFormat
    {
        switch (bitsPerPixel, lsbFirst, red, green, blue) {
        case (32, true, 0xff0000, 0x00ff00, 0x0000ff): return .bgrx
        case (32, true, 0x0000ff, 0x00ff00, 0xff0000): return .rgbx
        case (32, false, 0xff0000, 0x00ff00, 0x0000ff): return .xrgb
        case (16, true, 0xf800, 0x07e0, 0x001f): return .rgb565
        default:
            func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
            throw .unsupportedPixelFormat(
                "\(bitsPerPixel) bpp, \(lsbFirst ? "LSBFirst" : "MSBFirst"), masks R \(hex(red)) G \(hex(green)) B \(hex(blue))"
            )
        }
    }
}
