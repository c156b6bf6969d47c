/// The 64 bytes the server writes on the first socket once every socket is connected
/// (scrcpy.md §4.4): `Build.MODEL` in UTF-8, cut to at most 63 bytes at a character boundary,
/// zero-padded.
public struct ScrcpyDeviceMeta: Sendable, Equatable {
    public static let length = 64
    /// The byte the server writes first on the first socket in forward mode (§4.3), before the meta.
    public static let forwardDummyByte: UInt8 = 0

    public var deviceName: String

    public init(deviceName: String) { self.deviceName = deviceName }

    /// Parses the first 64 bytes of `buffer` the way the reference client does: byte 63 is forced
    /// to NUL and the name ends at the first NUL.
    public init(parsing buffer: UnsafeRawBufferPointer) throws(ScrcpyProtocolError) {
        guard buffer.count >= Self.length else {
            throw .truncated(item: "device meta", needed: Self.length, available: buffer.count)
        }
        var end = 0
        while end < Self.length - 1 && buffer[end] != 0 { end += 1 }
        deviceName = ScrcpyBytes.string(UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
    }

    /// Appends the 64-byte form (the name cut to 63 bytes at a character boundary).
    public func write(to out: inout [UInt8]) {
        let start = out.count
        ScrcpyBytes.withUTF8(deviceName) { name in
            let n = ScrcpyBytes.utf8TruncationLength(name, maxBytes: Self.length - 1)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: name[0..<n]))
        }
        out.append(contentsOf: repeatElement(0, count: Self.length - (out.count - start)))
    }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.length)
        write(to: &out)
        return out
    }
}
