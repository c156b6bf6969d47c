/// The bytes the source puts at the end of every RTP payload: a magic and the send time. At the end,
/// so the VP8 payload descriptor and frame header in front stay what a decoder expects.
enum BenchPayload {
    static let magic: [UInt8] = Array("mrnt".utf8)
    static let trailerLength = 12

    /// Writes the trailer into the last 12 bytes of `payload`.
    static func stamp(_ payload: UnsafeMutableRawBufferPointer, sendTime: UInt64) {
        let start = payload.count - trailerLength
        for i in 0..<4 { payload[start + i] = magic[i] }
        for i in 0..<8 { payload[start + 4 + i] = UInt8(truncatingIfNeeded: sendTime >> (56 - 8 * UInt64(i))) }
    }

    /// The send time in a decrypted payload's trailer; nil when the magic is not there.
    static func sendTime(in payload: UnsafeRawBufferPointer) -> UInt64? {
        guard payload.count >= trailerLength else { return nil }
        let start = payload.count - trailerLength
        for i in 0..<4 where payload[start + i] != magic[i] { return nil }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(payload[start + 4 + i]) }
        return value
    }
}
