/// An IPv4 or IPv6 network such as `127.0.0.0/8` or `::1/128`, for TCP tunnel source checks
/// (api.md §9.1 `allow_cidrs`). A bare address is a /32 (/128) network.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// 4 or 16 bytes, host bits cleared.
    public let network: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = CIDR.parseAddress(String(parts[0])) else { return nil }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...bits).contains(n), parts[1].allSatisfy(\.isNumber) else { return nil }
            length = n
        }
        prefixLength = length
        network = CIDR.masked(address, length)
    }

    public var description: String {
        (network.count == 4 ? network.map(String.init).joined(separator: ".") : CIDR.formatIPv6(network))
            + "/\(prefixLength)"
    }

    /// Whether `address` (4 or 16 bytes) lies in this network. IPv4-mapped IPv6 addresses
    /// (`::ffff:a.b.c.d`) match IPv4 networks.
    public func contains(_ address: [UInt8]) -> Bool {
        var address = address
        if address.count == 16, network.count == 4, address[0..<10].allSatisfy({ $0 == 0 }),
            address[10] == 0xff, address[11] == 0xff
        {
            address = Array(address[12...])
        }
        guard address.count == network.count else { return false }
        return CIDR.masked(address, prefixLength) == network
    }

    /// Whether the textual address lies in this network.
    public func contains(_ address: String) -> Bool {
        CIDR.parseAddress(address).map(contains) ?? false
    }

    static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        var out = address
        for i in 0..<out.count {
            let keep = max(0, min(8, length - i * 8))
            out[i] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - keep))
        }
        return out
    }

    /// Dotted IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail) to bytes.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        if !text.contains(":") {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var bytes: [UInt8] = []
            for part in parts {
                guard (1...3).contains(part.count), part.allSatisfy(\.isNumber), let n = UInt8(part) else { return nil }
                bytes.append(n)
            }
            return bytes
        }
        var text = Substring(text)
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        var halves: [String] = []
        var rest = text
        while let cut = CIDR.doubleColon(in: rest) {
            halves.append(String(rest[..<cut]))
            rest = rest[rest.index(cut, offsetBy: 2)...]
        }
        halves.append(String(rest))
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseAddress(String(piece)) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(piece.count), let n = UInt16(piece, radix: 16) else { return nil }
                out += [UInt8(n >> 8), UInt8(n & 0xff)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    static func doubleColon(in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":", next < text.endIndex, text[next] == ":" { return index }
            index = next
        }
        return nil
    }

    static func formatIPv6(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
