/// A transport address (IP + UDP port) as seen by the socket layer.
///
/// Stored as integers rather than byte arrays so that it is cheap to hash and compare on
/// every datagram, and never allocates.
public struct ICEAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IP address, big-endian in the integers (the first wire byte is the most significant).
    public enum IP: Hashable, Sendable {
        case v4(UInt32)
        /// The 16 bytes as two 64-bit halves, `high` holding bytes 0–7.
        case v6(high: UInt64, low: UInt64)
    }

    /// The IP address.
    public var ip: IP
    /// The UDP port, host order.
    public var port: UInt16

    public init(ip: IP, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// An IPv4 address from its four dotted-quad octets.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        self.init(ip: .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)), port: port)
    }

    /// An address from 4 (IPv4) or 16 (IPv6) raw bytes; nil for any other count.
    public init?(addressBytes: some Collection<UInt8>, port: UInt16) {
        switch addressBytes.count {
        case 4:
            let value = addressBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            self.init(ip: .v4(value), port: port)
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (index, byte) in addressBytes.enumerated() {
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self.init(ip: .v6(high: high, low: low), port: port)
        default:
            return nil
        }
    }

    /// The raw address bytes in network order: 4 for IPv4, 16 for IPv6.
    public var addressBytes: [UInt8] {
        switch ip {
        case .v4(let value):
            return bigEndianBytes(UInt64(value), count: 4)
        case .v6(let high, let low):
            return bigEndianBytes(high, count: 8) + bigEndianBytes(low, count: 8)
        }
    }

    public var isIPv6: Bool {
        if case .v6 = ip { return true }
        return false
    }

    /// `192.0.2.1:3478` or `[2001:db8::1]:3478` (RFC 5952 style, longest zero run compressed).
    public var description: String {
        switch ip {
        case .v4:
            return addressBytes.map { String($0) }.joined(separator: ".") + ":\(port)"
        case .v6(let high, let low):
            var groups: [UInt16] = []
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift)))
            }
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift)))
            }
            return "[\(Self.formatIPv6(groups))]:\(port)"
        }
    }

    private func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - $0))) }
    }

    private static func formatIPv6(_ groups: [UInt16]) -> String {
        // Find the longest run (length >= 2) of zero groups to replace with "::".
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < groups.count {
            if groups[index] == 0 {
                var end = index
                while end < groups.count, groups[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
