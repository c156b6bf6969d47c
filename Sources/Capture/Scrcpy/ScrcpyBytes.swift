/// Big-endian reads and writes for the scrcpy sockets (scrcpy.md §2: every integer on every socket
/// is big-endian), and the reference client's UTF-8 truncation. Callers check bounds first.
enum ScrcpyBytes {
    @inline(__always)
    static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt16 {
        UInt16(b[o]) << 8 | UInt16(b[o + 1])
    }

    @inline(__always)
    static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
        UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }

    @inline(__always)
    static func u64(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt64 {
        UInt64(u32(b, o)) << 32 | UInt64(u32(b, o + 4))
    }

    @inline(__always)
    static func append(_ v: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    static func append(_ v: UInt32, to out: inout [UInt8]) {
        append(UInt16(truncatingIfNeeded: v >> 16), to: &out)
        append(UInt16(truncatingIfNeeded: v), to: &out)
    }

    @inline(__always)
    static func append(_ v: UInt64, to out: inout [UInt8]) {
        append(UInt32(truncatingIfNeeded: v >> 32), to: &out)
        append(UInt32(truncatingIfNeeded: v), to: &out)
    }

    /// The number of leading bytes of `utf8` that fit in `maxBytes` without cutting a multi-byte
    /// character (the reference client's `sc_str_utf8_truncation_index`): step back over
    /// continuation bytes (10xxxxxx) from the cut.
    static func utf8TruncationLength(_ utf8: UnsafeRawBufferPointer, maxBytes: Int) -> Int {
        guard utf8.count > maxBytes else { return utf8.count }
        var n = maxBytes
        while n > 0 && utf8[n] & 0xC0 == 0x80 { n -= 1 }
        return n
    }

    /// Runs `body` over the UTF-8 bytes of `text` without copying native strings.
    static func withUTF8<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var text = text
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes untrusted bytes as UTF-8 the way the Java server and C client treat them: invalid
    /// sequences become U+FFFD rather than failing the message.
    static func string(_ b: UnsafeRawBufferPointer) -> String {
        String(decoding: b, as: UTF8.self)
    }
}
