/// The 96-bit STUN transaction id, kept as three big-endian words so it needs no heap storage.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–3 of the id, big-endian.
    public var high: UInt32
    /// Bytes 4–7 of the id, big-endian.
    public var middle: UInt32
    /// Bytes 8–11 of the id, big-endian.
    public var low: UInt32

    public init(high: UInt32, middle: UInt32, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    /// Builds an id from exactly 12 bytes; returns nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 12 else { return nil }
        var words: (UInt32, UInt32, UInt32) = (0, 0, 0)
        for (index, byte) in bytes.enumerated() {
            switch index / 4 {
            case 0: words.0 = words.0 << 8 | UInt32(byte)
            case 1: words.1 = words.1 << 8 | UInt32(byte)
            default: words.2 = words.2 << 8 | UInt32(byte)
            }
        }
        self.init(high: words.0, middle: words.1, low: words.2)
    }

    /// A fresh id from `SystemRandomNumberGenerator` (RFC 8489 §6 asks for a cryptographically random id).
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A fresh id from the given generator (tests pass a seeded one).
    public static func random(using generator: inout some RandomNumberGenerator) -> STUNTransactionID {
        STUNTransactionID(high: generator.next(), middle: generator.next(), low: generator.next())
    }

    /// The 12 bytes in wire order.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(12)
        for word in [high, middle, low] {
            result.append(UInt8(truncatingIfNeeded: word >> 24))
            result.append(UInt8(truncatingIfNeeded: word >> 16))
            result.append(UInt8(truncatingIfNeeded: word >> 8))
            result.append(UInt8(truncatingIfNeeded: word))
        }
        return result
    }

    public var description: String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
