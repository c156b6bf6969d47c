/// The pixels of the latest grab: a view into the grabber's shared segment (or its last
/// `GetImage` reply), valid until the grabber's next `grab()` or its release.
struct X11Image {
    let base: UnsafeRawPointer
    let width: Int
    let height: Int
    /// Bytes per row (ZPixmap rows padded to the format's scanline pad).
    let stride: Int
    let format: X11PixelFormat
}
