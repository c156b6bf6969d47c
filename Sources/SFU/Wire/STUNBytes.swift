/// Big-endian read/write helpers shared by the STUN code (namespaced to avoid clashing with
/// similar helpers elsewhere in the module).
enum STUNBytes {
    /// Callers check `offset + 2 <= buffer.count` first.
    static func readUInt16(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt16 {
        UInt16(buffer[offset]) << 8 | UInt16(buffer[offset + 1])
    }

    /// Callers check `offset + 4 <= buffer.count` first.
    static func readUInt32(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(readUInt16(buffer, at: offset)) << 16 | UInt32(readUInt16(buffer, at: offset + 2))
    }

    /// Callers check `offset + 8 <= buffer.count` first.
    static func readUInt64(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(readUInt32(buffer, at: offset)) << 32 | UInt64(readUInt32(buffer, at: offset + 4))
    }

    static func appendUInt16(_ value: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    static func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
        appendUInt16(UInt16(truncatingIfNeeded: value >> 16), to: &out)
        appendUInt16(UInt16(truncatingIfNeeded: value), to: &out)
    }

    static func appendUInt64(_ value: UInt64, to out: inout [UInt8]) {
        appendUInt32(UInt32(truncatingIfNeeded: value >> 32), to: &out)
        appendUInt32(UInt32(truncatingIfNeeded: value), to: &out)
    }

    /// Overwrites two bytes at `offset` (which must be in bounds) with `value`, big-endian.
    static func writeUInt16(_ value: UInt16, into bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}
