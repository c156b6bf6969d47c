import CYUV

/// Converts grabbed X11 pixels to I420 with libyuv (capture.md §1.3): `ARGBToI420` for the usual
/// BGRX layout (libyuv's "ARGB" is bytes B, G, R, A), and the matching converter for the other
/// layouts `X11PixelFormat` accepts. Output is BT.601 limited range, what browsers' VP8 decoders
/// assume when nothing is signalled.
///
/// Odd sizes are cropped by one pixel (the last column / row) so that the chroma planes cover
/// exactly 2×2 blocks and the encoded size is even, which every decoder handles.
///
/// The output `frame` is reused: a frame's planes are allocated only when the size changes.
struct BGRXConverter {
    private(set) var frame: I420Frame?

    /// The even size an image of this size converts to.
    static func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width & ~1, height & ~1) }

    /// Converts `image` into `frame` (reallocated only on a size change).
    mutating func convert(_ image: X11Image) throws(DesktopCaptureError) {
        let (width, height) = Self.outputSize(width: image.width, height: image.height)
        guard width >= 2, height >= 2 else {
            throw .grabFailed("screen \(image.width)x\(image.height) is too small to encode")
        }
        var out: I420Frame
        if let existing = frame, existing.width == width, existing.height == height {
            out = existing
            frame = nil  // `out` is now the only reference: the writes below do not copy
        } else {
            out = I420Frame(width: width, height: height)
        }
        let strideY = Int32(out.strideY), strideUV = Int32(out.strideUV)
        let src = image.base.assumingMemoryBound(to: UInt8.self)
        let srcStride = Int32(image.stride), w = Int32(width), h = Int32(height)
        let format = image.format
        let result = out.y.withUnsafeMutableBufferPointer { y in
            out.u.withUnsafeMutableBufferPointer { u in
                out.v.withUnsafeMutableBufferPointer { v in
                    let (py, pu, pv) = (y.baseAddress, u.baseAddress, v.baseAddress)
                    return switch format {
                    case .bgrx: ARGBToI420(src, srcStride, py, strideY, pu, strideUV, pv, strideUV, w, h)
                    case .rgbx: ABGRToI420(src, srcStride, py, strideY, pu, strideUV, pv, strideUV, w, h)
                    case .xrgb: BGRAToI420(src, srcStride, py, strideY, pu, strideUV, pv, strideUV, w, h)
                    case .rgb565: RGB565ToI420(src, srcStride, py, strideY, pu, strideUV, pv, strideUV, w, h)
                    }
                }
            }
        }
        frame = out
        guard result == 0 else {
            throw .grabFailed("libyuv conversion of \(format.rawValue) \(width)x\(height) failed (\(result))")
        }
    }
}
