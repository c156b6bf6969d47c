/// RFC 6455 §5.3 masking: every payload byte XORed with the 4-byte key, repeated from the payload's
/// first byte; masking and unmasking are the same operation. 32 bytes at a time (one vector), then
/// 4, then 1: swift-nio's `webSocketMask` goes byte by byte, and at `mctl tunnels connect` upload
/// rates that loop took about a third of all the CPU the machine spent (mctl masking, the server
/// unmasking).
public enum WebSocketMasking {
    /// Writes `input` masked with `key` to the start of `output`, which holds at least
    /// `input.count` bytes and may be the same memory as `input` (masking in place).
    public static func mask(
        _ input: UnsafeRawBufferPointer, key: (UInt8, UInt8, UInt8, UInt8), into output: UnsafeMutableRawBufferPointer
    ) {
        precondition(output.count >= input.count, "the output is shorter than the input")
        // The key as a 32-bit word in memory order, XORed with the payload's words read the same
        // way: right on either byte order.
        let word = withUnsafeBytes(of: key) { $0.loadUnaligned(as: UInt32.self) }
        let vector = SIMD8<UInt32>(repeating: word)
        let count = input.count
        var index = 0
        while index + 32 <= count {
            let block = input.loadUnaligned(fromByteOffset: index, as: SIMD8<UInt32>.self)
            output.storeBytes(of: block ^ vector, toByteOffset: index, as: SIMD8<UInt32>.self)
            index += 32
        }
        while index + 4 <= count {
            let block = input.loadUnaligned(fromByteOffset: index, as: UInt32.self)
            output.storeBytes(of: block ^ word, toByteOffset: index, as: UInt32.self)
            index += 4
        }
        withUnsafeBytes(of: key) { key in
            while index < count {
                output[index] = input[index] ^ key[index & 3]
                index += 1
            }
        }
    }
}
