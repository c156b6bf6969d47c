/// Internal big-endian byte access helpers. Callers must bounds-check first.
enum RTPBytes {
    @inline(__always)
    static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt16 {
        UInt16(b[o]) &<< 8 | UInt16(b[o &+ 1])
    }

    @inline(__always)
    static func u24(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
        UInt32(b[o]) &<< 16 | UInt32(b[o &+ 1]) &<< 8 | UInt32(b[o &+ 2])
    }

    @inline(__always)
    static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
        UInt32(b[o]) &<< 24 | UInt32(b[o &+ 1]) &<< 16 | UInt32(b[o &+ 2]) &<< 8 | UInt32(b[o &+ 3])
    }

    @inline(__always)
    static func u64(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt64 {
        UInt64(u32(b, o)) &<< 32 | UInt64(u32(b, o &+ 4))
    }

    /// Sign-extends a 24-bit two's complement value.
    @inline(__always)
    static func signed24(_ v: UInt32) -> Int32 {
        Int32(bitPattern: v &<< 8) &>> 8
    }

    @inline(__always)
    static func put16(_ b: UnsafeMutableRawBufferPointer, _ o: Int, _ v: UInt16) {
        b[o] = UInt8(truncatingIfNeeded: v &>> 8)
        b[o &+ 1] = UInt8(truncatingIfNeeded: v)
    }

    @inline(__always)
    static func put24(_ b: UnsafeMutableRawBufferPointer, _ o: Int, _ v: UInt32) {
        b[o] = UInt8(truncatingIfNeeded: v &>> 16)
        b[o &+ 1] = UInt8(truncatingIfNeeded: v &>> 8)
        b[o &+ 2] = UInt8(truncatingIfNeeded: v)
    }

    @inline(__always)
    static func put32(_ b: UnsafeMutableRawBufferPointer, _ o: Int, _ v: UInt32) {
        b[o] = UInt8(truncatingIfNeeded: v &>> 24)
        b[o &+ 1] = UInt8(truncatingIfNeeded: v &>> 16)
        b[o &+ 2] = UInt8(truncatingIfNeeded: v &>> 8)
        b[o &+ 3] = UInt8(truncatingIfNeeded: v)
    }

    @inline(__always)
    static func put64(_ b: UnsafeMutableRawBufferPointer, _ o: Int, _ v: UInt64) {
        put32(b, o, UInt32(truncatingIfNeeded: v &>> 32))
        put32(b, o &+ 4, UInt32(truncatingIfNeeded: v))
    }

    /// Fills `range` with zero bytes.
    @inline(__always)
    static func zero(_ b: UnsafeMutableRawBufferPointer, _ range: Range<Int>) {
        for i in range { b[i] = 0 }
    }

    /// Copies `source` into `dest` starting at `offset`. Caller checks capacity.
    @inline(__always)
    static func copy(_ source: UnsafeRawBufferPointer, into dest: UnsafeMutableRawBufferPointer, at offset: Int) {
        guard !source.isEmpty else { return }
        UnsafeMutableRawBufferPointer(rebasing: dest[offset..<(offset + source.count)]).copyMemory(from: source)
    }
}
