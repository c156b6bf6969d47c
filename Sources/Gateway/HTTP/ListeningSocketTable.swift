import NIOCore

/// Listening TCP sockets as `/proc/net/tcp` and `/proc/net/tcp6` list them: a pure parser, so the
/// public listener can count who shares its port. Members of a `SO_REUSEPORT` group accept in turn,
/// so another process of the same user that bound the same address and port in the same instant
/// would silently take a share of the connections; counting the group's sockets catches it.
struct ListeningSocketTable {
    /// `/proc/net/tcp`'s text for an address: IPv4 as one little-endian word, IPv6 as four.
    static func procText(of address: SocketAddress) -> String? {
        func hex(_ bytes: ArraySlice<UInt8>) -> String {
            // Each 32-bit word is printed as the host (little-endian) integer, so its bytes reverse.
            stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map { start in
                bytes[start..<start + 4].reversed().map { byte in
                    let digits = String(byte, radix: 16, uppercase: true)
                    return digits.count == 1 ? "0" + digits : digits
                }.joined()
            }.joined()
        }
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr.s_addr) { hex(ArraySlice($0)) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { hex(ArraySlice($0)) }
        default:
            return nil
        }
    }

    /// How many sockets in state LISTEN (`0A`) are bound to `address` (in ``procText(of:)`` form)
    /// and `port`.
    static func listening(address: String, port: Int, in table: String) -> Int {
        let wanted = address + ":" + hex4(port)
        var count = 0
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[1] == wanted, fields[3] == "0A" else { continue }
            count += 1
        }
        return count
    }

    private static func hex4(_ port: Int) -> String {
        let digits = String(port, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
